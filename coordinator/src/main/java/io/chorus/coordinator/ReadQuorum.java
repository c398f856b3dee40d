package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.QuorumException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The quorum decisions of one read, apart from sending and timing (as Riak's {@code riak_kv_get_core}): replicas'
 * replies go in, and out come whether R is reached or can no longer be, the answer (the merge of the replies),
 * and which repliers need a repair. Each replica counts once; a second reply of the same replica (a duplicate) is
 * ignored. "Not found" is a success: an absent state, which adds nothing to the merge and is repaired like any
 * stale one. An error (the replica could not read, its reply does not decode, it could not be reached) counts
 * against the quorum: R is impossible once fewer than R replicas are left that have not failed.
 *
 * <p>Thread-safety: not thread-safe; {@link ReadRequest} guards it with its monitor.
 */
final class ReadQuorum {

    enum Verdict {
        /** Fewer than R successes, and R still reachable. */
        PENDING,
        /** R successes: answer with {@link #merged()}. */
        ENOUGH,
        /** Too many errors for R: QUORUM_NOT_MET. */
        IMPOSSIBLE
    }

    private final int required;
    private final int replicas;
    private final Map<NodeId, SiblingSet> replies = new LinkedHashMap<>();
    private final Set<NodeId> failed = new HashSet<>();
    private SiblingSet merged = SiblingSet.empty();

    /** A read that needs {@code required} successes of {@code replicas} replicas (R of N). */
    ReadQuorum(int required, int replicas) {
        if (required < 1 || required > replicas) {
            throw new IllegalArgumentException("required " + required + " must be in 1.." + replicas);
        }
        this.required = required;
        this.replicas = replicas;
    }

    /** {@code replica} answered with its state; false when it had answered already (ignored). */
    boolean ok(NodeId replica, SiblingSet state) {
        if (replies.containsKey(replica) || failed.contains(replica)) {
            return false;
        }
        replies.put(replica, state);
        merged = merged.merge(state);
        return true;
    }

    /** {@code replica} holds nothing for the key: a success with the empty state. */
    boolean notFound(NodeId replica) {
        return ok(replica, SiblingSet.empty());
    }

    /** {@code replica} failed; false when it had answered already (ignored). */
    boolean error(NodeId replica) {
        return !replies.containsKey(replica) && failed.add(replica);
    }

    /** Stable once not PENDING: successes never go away, and a lost quorum never comes back. */
    Verdict verdict() {
        if (replies.size() >= required) {
            return Verdict.ENOUGH;
        }
        return replicas - failed.size() < required ? Verdict.IMPOSSIBLE : Verdict.PENDING;
    }

    /** The merge of every successful reply so far. */
    SiblingSet merged() {
        return merged;
    }

    /** Successful replies so far. */
    int acks() {
        return replies.size();
    }

    int errors() {
        return failed.size();
    }

    int required() {
        return required;
    }

    /** Whether {@code replica} has answered, either way. */
    boolean heardFrom(NodeId replica) {
        return replies.containsKey(replica) || failed.contains(replica);
    }

    /** The successful replies in arrival order. */
    Map<NodeId, SiblingSet> replies() {
        return Collections.unmodifiableMap(replies);
    }

    /**
     * The repliers whose state does not include the merge (not-found ones among them), in arrival order. Replicas
     * that failed or were not heard from are not planned for: nothing is known of them.
     */
    List<NodeId> staleReplicas() {
        return ReadRepair.staleReplicas(merged, replies);
    }

    /** The failure once {@link Verdict#IMPOSSIBLE}: replicas failed before the deadline. */
    QuorumException notMet() {
        return new QuorumException(ErrorCode.QUORUM_NOT_MET, "read got too few replies", acks(), required);
    }

    /** The failure at the deadline with the quorum still open. */
    QuorumException timedOut(long timeoutMillis) {
        return new QuorumException(ErrorCode.TIMEOUT, "read timed out after " + timeoutMillis + " ms", acks(),
                required);
    }
}
