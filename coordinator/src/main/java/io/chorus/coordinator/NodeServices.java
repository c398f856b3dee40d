package io.chorus.coordinator;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.core.transport.Transport;
import io.chorus.storage.StorageEngine;

/**
 * The collaborators one node's request state machines share. Immutable; every collaborator is thread-safe (or,
 * in the simulation, confined to its one thread together with everything else).
 */
record NodeServices(NodeId self, StorageEngine storage, Transport transport, Liveness liveness,
        Scheduler scheduler, Clock clock, CoordinatorConfig config, Counters counters) {

    /** Tells liveness how a request to {@code node} went: only "unreachable" and "no answer" count as failures. */
    void report(NodeId node, Throwable failure) {
        if (!node.equals(self)) {
            report(liveness, node, failure);
        }
    }

    /** As {@link #report(NodeId, Throwable)}, for other agents that talk to peers (anti-entropy). */
    static void report(Liveness liveness, NodeId node, Throwable failure) {
        if (failure == null) {
            liveness.onSuccess(node);
        } else {
            ErrorCode code = codeOf(failure);
            if (code == ErrorCode.UNAVAILABLE || code == ErrorCode.TIMEOUT) {
                liveness.onFailure(node);
            } else {
                liveness.onSuccess(node); // it answered, with an error of its own
            }
        }
    }

    /** How long a replica request may wait: the replica timeout, capped by what is left before the deadline. */
    long attemptTimeoutMillis(long deadlineNanos) {
        long leftMillis = (deadlineNanos - clock.nanoTime()) / 1_000_000;
        long cap = config.replicaTimeoutMillis();
        // Past the deadline (a slow local write): the replicas still get the write, with the normal wait.
        return leftMillis <= 0 ? cap : Math.max(1, Math.min(cap, leftMillis));
    }

    /**
     * How early a transport's timer may fire against a request's deadline and still be that deadline arriving:
     * the node's timer wheel ticks every 5 ms and attempt timeouts are whole milliseconds; anything earlier is a
     * failure of its own (a connect that timed out on a shorter timer, say).
     */
    static final long DEADLINE_SLACK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);

    /** Whether {@code failure} is a TIMEOUT at (or within {@link #DEADLINE_SLACK_NANOS} of) the deadline. */
    boolean timedOutAtDeadline(Throwable failure, long deadlineNanos) {
        return codeOf(failure) == ErrorCode.TIMEOUT && clock.nanoTime() - (deadlineNanos - DEADLINE_SLACK_NANOS) >= 0;
    }

    static ErrorCode codeOf(Throwable t) {
        return Failures.unwrap(t) instanceof ChorusException ce ? ce.code() : ErrorCode.INTERNAL;
    }
}
