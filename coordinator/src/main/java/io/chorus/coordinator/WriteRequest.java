package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.core.error.QuorumException;
import io.chorus.core.transport.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One write (put or delete) coordinated by this node, a primary of the key, as a state machine advanced only by
 * callbacks: the local write, each replica's reply, the deadline.
 *
 * <ol>
 *   <li>The local write stamps the new dot inside the storage engine's writer (so no dot is handed out twice) and
 *       is the first ack. If it fails, nothing was written anywhere and the request fails with its error.</li>
 *   <li>The resulting sibling set goes to every other primary as a REPLICA_PUT, one "slot" per primary. A primary
 *       that {@link Liveness} calls down, or whose request fails or times out, is replaced by the next alive node
 *       of the partition's walk beyond the first N that this request has not used yet; that fallback gets a
 *       HINT_PUT naming the primary, and its durable ack counts toward W (Dynamo's sloppy quorum: W counts
 *       distinct nodes holding the write, not necessarily primaries). A slot without a fallback left is closed
 *       failed. When Liveness calls a primary down but no fallback exists, the primary is tried anyway.</li>
 *   <li>While the key's partition moves, the write goes to its old and its new replicas, a slot each, and needs
 *       W acks from each list (a fallback's ack counts for the slot's owner): whichever list a reader asks, before
 *       or after the move completes, it meets the write.</li>
 *   <li>The client is answered after W acks (the local one included), with QUORUM_NOT_MET once every slot is
 *       closed with fewer, or TIMEOUT at the deadline. Only received acks count; a failed write may still be
 *       partly applied, and the error says how many acks came. After the answer, slots still open keep going
 *       (fallbacks until the deadline) so that the write still reaches N nodes when it can.</li>
 * </ol>
 *
 * <p>Thread-safety: replies arrive on transport threads; the small state is guarded by this object's monitor,
 * which is never held while sending or completing the client's future.
 */
final class WriteRequest {

    private final NodeServices node;
    private final int partition;
    private final byte[] key;
    private final Quorum quorum;
    private final List<NodeId> primaries;
    /** Each list needs W acks: one list, or while the partition moves its old and its new replicas. */
    private final List<List<NodeId>> quorums;
    private final List<NodeId> fallbacks;
    private final long deadlineNanos;
    private final CompletableFuture<SiblingSet> result = new CompletableFuture<>();

    // Guarded by this.
    private SiblingSet written;
    private Message replicaPut;
    private int acks;
    private final Set<NodeId> ackedOwners = new HashSet<>();
    private int openSlots;
    private int nextFallback;
    private final Set<NodeId> used = new HashSet<>();
    private boolean deadlinePassed;
    private boolean answered;
    private Cancellable deadline;

    /** A primary's slot being tried on {@code target}: the primary itself, or a fallback holding a hint for it. */
    private record Attempt(NodeId owner, NodeId target) {
        boolean hinted() {
            return !owner.equals(target);
        }
    }

    private WriteRequest(NodeServices node, int partition, byte[] key, Quorum quorum, List<List<NodeId>> quorums,
            List<NodeId> fallbacks) {
        this.node = node;
        this.partition = partition;
        this.key = key;
        this.quorum = quorum;
        this.quorums = quorums;
        if (quorums.size() == 1) {
            this.primaries = quorums.get(0);
        } else {
            java.util.LinkedHashSet<NodeId> union = new java.util.LinkedHashSet<>();
            quorums.forEach(union::addAll);
            this.primaries = List.copyOf(union);
        }
        this.fallbacks = fallbacks;
        this.deadlineNanos = node.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(quorum.timeoutMillis());
    }

    /**
     * Starts the write and returns its outcome: the sibling set stored on this node after the write.
     *
     * @param quorums   the replica lists that each need W acks; this node is in the first
     * @param fallbacks where slots find stand-ins, in order
     * @param stamp the change the local store applies: {@code stored -> stored.update(context, actor, value, ts)}
     */
    static CompletableFuture<SiblingSet> start(NodeServices node, int partition, byte[] key, Quorum quorum,
            List<List<NodeId>> quorums, List<NodeId> fallbacks, UnaryOperator<SiblingSet> stamp) {
        WriteRequest request = new WriteRequest(node, partition, key, quorum, quorums, fallbacks);
        request.begin(stamp);
        return request.result;
    }

    private void begin(UnaryOperator<SiblingSet> stamp) {
        Cancellable timer = node.scheduler().schedule(this::onDeadline, quorum.timeoutMillis(),
                TimeUnit.MILLISECONDS);
        synchronized (this) {
            deadline = timer;
        }
        // Continues on the storage writer's thread: encoding the replica message and queueing it to the event
        // loops is brief, and cheaper there than after a hop to another thread.
        node.storage().update(partition, key, stamp).whenComplete(this::onLocalWrite);
    }

    private void onLocalWrite(SiblingSet stored, Throwable failure) {
        if (failure != null) {
            // Nothing was stamped, so nothing exists anywhere: the write's own error (a limit, a full disk) is
            // the precise answer, not a quorum failure.
            synchronized (this) {
                answered = true;
            }
            cancelDeadlineWhenDone();
            result.completeExceptionally(Failures.unwrap(failure));
            return;
        }
        List<Attempt> sends = new ArrayList<>();
        synchronized (this) {
            written = stored;
            replicaPut = new ReplicaPut(partition, key, stored).encode();
            acks = 1;
            ackedOwners.add(node.self());
            used.addAll(primaries);
            for (NodeId primary : primaries) {
                if (primary.equals(node.self())) {
                    continue;
                }
                openSlots++;
                NodeId target = node.liveness().isAlive(primary) ? primary : takeFallback();
                sends.add(new Attempt(primary, target == null ? primary : target));
            }
        }
        decide();
        sends.forEach(this::send);
    }

    private void send(Attempt attempt) {
        SiblingSet state;
        Message plain;
        synchronized (this) {
            state = written;
            plain = replicaPut;
        }
        Message message = attempt.hinted() ? new HintPut(attempt.owner(), partition, key, state).encode() : plain;
        node.transport().request(attempt.target(), message, node.attemptTimeoutMillis(deadlineNanos))
                .whenComplete((reply, failure) -> onReply(attempt, failure));
    }

    private void onReply(Attempt attempt, Throwable failure) {
        node.report(attempt.target(), failure);
        Attempt retry = null;
        synchronized (this) {
            if (failure != null && node.timedOutAtDeadline(failure, deadlineNanos)) {
                // The request's deadline arriving on the transport's timer, which may run a little ahead of ours:
                // the answer is TIMEOUT whichever fired first, never QUORUM_NOT_MET by timer race.
                deadlinePassed = true;
            }
            if (failure == null) {
                acks++;
                ackedOwners.add(attempt.owner());
                openSlots--;
            } else {
                NodeId fallback = deadlinePassed ? null : takeFallback();
                if (fallback == null) {
                    openSlots--;
                } else {
                    retry = new Attempt(attempt.owner(), fallback);
                }
            }
        }
        decide();
        if (retry != null) {
            send(retry);
        }
    }

    /**
     * Once answered, the request lives on only for its open slots: when the last one closes, its deadline has
     * nothing left to end. Cancelled rather than left to fire, since at full rate a deadline left behind by every
     * write would keep a second's worth of timers alive and fire each of them.
     */
    private void cancelDeadlineWhenDone() {
        Cancellable timer = null;
        synchronized (this) {
            if (answered && openSlots == 0 && deadline != null) {
                timer = deadline;
                deadline = null;
            }
        }
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Whether every list has W acks (or all of it, for a list shorter than W: a ring shrinking below W). */
    private boolean quorumsMet() {
        if (quorums.size() == 1) {
            return acks >= quorum.required();
        }
        for (List<NodeId> list : quorums) {
            int have = 0;
            for (NodeId n : list) {
                if (ackedOwners.contains(n)) {
                    have++;
                }
            }
            if (have < Math.min(quorum.required(), list.size())) {
                return false;
            }
        }
        return true;
    }

    /** The next alive node of the walk beyond N not yet used by this request; null when none is left. */
    private NodeId takeFallback() {
        while (nextFallback < fallbacks.size()) {
            NodeId candidate = fallbacks.get(nextFallback++);
            if (!used.contains(candidate) && node.liveness().isAlive(candidate)) {
                used.add(candidate);
                return candidate;
            }
        }
        return null;
    }

    private void onDeadline() {
        synchronized (this) {
            deadlinePassed = true;
        }
        decide();
    }

    /** Answers the client once the outcome is known, then cancels the deadline if nothing is left for it. */
    private void decide() {
        answerIfKnown();
        cancelDeadlineWhenDone();
    }

    /** The decision is made under the lock, the answer outside. */
    private void answerIfKnown() {
        SiblingSet success = null;
        QuorumException failure = null;
        synchronized (this) {
            if (answered) {
                return;
            }
            // At the deadline the answer is TIMEOUT even if the last slots closed at the same moment: which of
            // two timers fires first must not decide the error a client sees.
            if (written != null && quorumsMet()) {
                success = written;
            } else if (deadlinePassed) {
                failure = new QuorumException(ErrorCode.TIMEOUT, "write timed out after " + quorum.timeoutMillis()
                        + " ms", acks, quorum.required());
            } else if (written != null && openSlots == 0) {
                failure = new QuorumException(ErrorCode.QUORUM_NOT_MET,
                        "write reached too few replicas, no fallback left", acks, quorum.required());
            } else {
                return;
            }
            answered = true;
        }
        if (success != null) {
            result.complete(success);
        } else {
            node.counters().quorumFailures.increment();
            result.completeExceptionally(failure);
        }
    }
}
