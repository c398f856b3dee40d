package io.chorus.core.error;

/**
 * A quorum request that ended without enough replica replies: QUORUM_NOT_MET when the replies that came were too
 * few or failed, TIMEOUT when time ran out first. It says how many acknowledged, so a client can tell "nothing
 * was written" (0 acks) from "written on fewer replicas than asked" — which, as in every Dynamo store, may still
 * spread by read repair and anti-entropy. Immutable.
 */
public final class QuorumException extends ChorusException {

    private final int acks;
    private final int required;

    public QuorumException(ErrorCode code, String message, int acks, int required) {
        super(code, message + " (" + acks + " of " + required + " replicas acknowledged)");
        if (code != ErrorCode.QUORUM_NOT_MET && code != ErrorCode.TIMEOUT) {
            throw new IllegalArgumentException("a quorum failure is QUORUM_NOT_MET or TIMEOUT, not " + code);
        }
        this.acks = acks;
        this.required = required;
    }

    public int acks() {
        return acks;
    }

    public int required() {
        return required;
    }
}
