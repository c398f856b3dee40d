package io.chorus.coordinator;

import io.chorus.core.NodeId;

/**
 * Which nodes the coordinator believes reachable: a write sends to a fallback instead of a primary that is not
 * alive. Pluggable: the default learns from request outcomes ({@link FailureDetectingLiveness}); gossip's failure
 * detector replaces it later. The coordinator reports every replica request's outcome, so an implementation may
 * learn from them or ignore them. Implementations must be thread-safe: outcomes arrive from transport threads.
 */
public interface Liveness {

    /** Whether requests to {@code node} are worth sending. A wrong answer costs latency or a hint, not safety. */
    boolean isAlive(NodeId node);

    /** {@code node} answered a request (even with an error of its own: it is reachable). */
    void onSuccess(NodeId node);

    /** A request to {@code node} could not be delivered or timed out. */
    void onFailure(NodeId node);
}
