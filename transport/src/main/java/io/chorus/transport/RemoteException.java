package io.chorus.transport;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;

/**
 * An error response from the other side of a connection: its code, message, and for QUORUM_NOT_MET and TIMEOUT of
 * a quorum request the replica replies received ({@link #acks()}) and required ({@link #required()}), else 0.
 * {@link #wireCode()} keeps the number as sent, for codes this version does not know (they read as INTERNAL).
 * Immutable.
 */
public final class RemoteException extends ChorusException {

    private final int wireCode;
    private final int acks;
    private final int required;

    public RemoteException(ErrorCode code, int wireCode, String message, int acks, int required) {
        super(code, message);
        this.wireCode = wireCode;
        this.acks = acks;
        this.required = required;
    }

    public int wireCode() {
        return wireCode;
    }

    public int acks() {
        return acks;
    }

    public int required() {
        return required;
    }

    @Override
    public String toString() {
        String s = "RemoteException[" + code() + "] " + getMessage();
        return acks == 0 && required == 0 ? s : s + " (acks " + acks + " of " + required + ")";
    }
}
