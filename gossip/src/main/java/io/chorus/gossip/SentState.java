package io.chorus.gossip;

import java.util.Objects;

/**
 * A full node state as an ACK or ACK2 carries it, with the version at which its content (all but the version) was
 * made. The owner knows that version exactly and every holder passes it on, so each node knows, for every peer's
 * digest, whether that peer already has the content (same generation, version at or past it) and needs only a
 * heartbeat. Without it a node could only go by when it itself first saw the content, and would send full states
 * to peers that already hold them. Immutable.
 *
 * @param contentVersion in {@code [0, state.version()]}
 */
public record SentState(NodeState state, long contentVersion) {

    public SentState {
        Objects.requireNonNull(state, "state");
        if (contentVersion < 0 || contentVersion > state.version()) {
            throw new IllegalArgumentException("content version " + contentVersion + " of " + state.id()
                    + " outside [0, " + state.version() + "]");
        }
    }

    /** A state whose content was made at its own version: just changed. */
    public static SentState fresh(NodeState state) {
        return new SentState(state, state.version());
    }
}
