package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.QuorumException;
import io.chorus.core.transport.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read coordinated by this node, as a state machine advanced by callbacks: each primary's reply (this node's
 * own local read included), the deadline, the end of the repair window.
 *
 * <p>It asks the N primaries and answers after R successful replies with their merge; a key absent on R replicas
 * is the empty set, a normal answer. It fails with QUORUM_NOT_MET as soon as too many replicas failed for R to be
 * reached, or TIMEOUT at the deadline. Fallbacks are not asked: their hints are not readable data.
 *
 * <p>Read repair: after answering, it keeps collecting replies for the grace window (or until all N are in), then
 * sends the merged state as a REPLICA_PUT to every replica whose reply did not include it ({@link ReadRepair}), in
 * the background. A failed read repairs the replicas that did reply too.
 *
 * <p>Thread-safety: the state is guarded by this object's monitor, never held while sending or completing.
 */
final class ReadRequest {

    private static final Logger LOG = LoggerFactory.getLogger(ReadRequest.class);

    private final NodeServices node;
    private final int partition;
    private final byte[] key;
    private final Quorum quorum;
    private final List<NodeId> primaries;
    private final CompletableFuture<SiblingSet> result = new CompletableFuture<>();
    private final long deadlineNanos;

    // Guarded by this.
    private final Map<NodeId, SiblingSet> replies = new LinkedHashMap<>();
    private final List<Decoded> distinct = new ArrayList<>(2);
    private SiblingSet merged = SiblingSet.empty();
    private int failures;
    private boolean answered;
    private boolean finished;
    private Cancellable deadline;
    private Cancellable graceEnd;

    private ReadRequest(NodeServices node, int partition, byte[] key, Quorum quorum, List<NodeId> primaries) {
        this.node = node;
        this.partition = partition;
        this.key = key;
        this.quorum = quorum;
        this.primaries = primaries;
        this.deadlineNanos = node.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(quorum.timeoutMillis());
    }

    /** Starts the read of {@code key} from {@code primaries} (the first N of the walk, this node among them). */
    static CompletableFuture<SiblingSet> start(NodeServices node, int partition, byte[] key, Quorum quorum,
            List<NodeId> primaries) {
        ReadRequest request = new ReadRequest(node, partition, key, quorum, primaries);
        request.begin();
        return request.result;
    }

    private void begin() {
        Cancellable timer = node.scheduler().schedule(this::onDeadline, quorum.timeoutMillis(),
                TimeUnit.MILLISECONDS);
        synchronized (this) {
            deadline = timer;
        }
        Message get = new ReplicaGet(partition, key).encode();
        for (NodeId replica : primaries) {
            if (replica.equals(node.self())) {
                continue;
            }
            node.transport().request(replica, get, quorum.timeoutMillis()).whenComplete((reply, failure) -> {
                node.report(replica, failure);
                if (failure != null && node.timedOutAtDeadline(failure, deadlineNanos)) {
                    // The deadline has come, on the transport's timer, which may run a little ahead of ours; the
                    // answer is TIMEOUT either way, not QUORUM_NOT_MET by timer race. An earlier TIMEOUT (a connect
                    // that timed out) is a failure of that replica like any other.
                    onDeadline();
                } else if (failure != null) {
                    onFailure();
                } else {
                    onEncodedReply(replica, reply.bodyUnsafe());
                }
            });
        }
        // The local read last: with R = 1 it may answer at once, after the remote requests are on their way.
        byte[] local;
        try {
            local = node.storage().getEncoded(partition, key);
        } catch (RuntimeException e) {
            LOG.warn("local read of partition {} failed: {}", partition, e.getMessage());
            onFailure();
            return;
        }
        onEncodedReply(node.self(), local);
    }

    /**
     * A reply in the causal encoding, as the replica stores it. Equal states have equal bytes, so each distinct
     * encoding is decoded once: replicas in sync cost one decode and no merge in all.
     */
    private void onEncodedReply(NodeId replica, byte[] encoded) {
        SiblingSet set = decodedAlready(encoded);
        if (set == null) {
            try {
                set = CausalCodec.decode(encoded);
            } catch (RuntimeException corrupt) {
                LOG.warn("the state of partition {} on {} does not decode: {}", partition, replica,
                        corrupt.getMessage());
                onFailure();
                return;
            }
            synchronized (this) {
                if (!finished) {
                    distinct.add(new Decoded(encoded, set));
                }
            }
        }
        onReply(replica, set);
    }

    private synchronized SiblingSet decodedAlready(byte[] encoded) {
        for (Decoded d : distinct) {
            if (Arrays.equals(d.encoded(), encoded)) {
                return d.set();
            }
        }
        return null;
    }

    private record Decoded(byte[] encoded, SiblingSet set) {
    }

    private void onReply(NodeId replica, SiblingSet set) {
        SiblingSet answer = null;
        boolean startGrace = false;
        synchronized (this) {
            if (finished) {
                return;
            }
            replies.put(replica, set);
            merged = merged.merge(set);
            if (!answered && replies.size() >= quorum.required()) {
                answered = true;
                answer = merged;
                startGrace = replies.size() + failures < primaries.size();
            }
        }
        if (answer != null) {
            result.complete(answer);
        }
        if (startGrace) {
            Cancellable timer = node.scheduler().schedule(this::finish, node.config().readRepairGraceMillis(),
                    TimeUnit.MILLISECONDS);
            boolean late;
            synchronized (this) {
                graceEnd = timer;
                // The last reply may have finished the request on another thread since the decision above.
                late = finished;
            }
            if (late) {
                timer.cancel();
            }
        }
        finishIfAllIn();
    }

    private void onFailure() {
        QuorumException failure = null;
        synchronized (this) {
            if (finished) {
                return;
            }
            failures++;
            int stillPossible = primaries.size() - failures;
            if (!answered && stillPossible < quorum.required()) {
                answered = true;
                failure = new QuorumException(ErrorCode.QUORUM_NOT_MET, "read got too few replies",
                        replies.size(), quorum.required());
            }
        }
        if (failure != null) {
            node.counters().quorumFailures.increment();
            result.completeExceptionally(failure);
        }
        finishIfAllIn();
    }

    private void onDeadline() {
        QuorumException failure = null;
        synchronized (this) {
            if (!answered) {
                answered = true;
                failure = new QuorumException(ErrorCode.TIMEOUT, "read timed out after " + quorum.timeoutMillis()
                        + " ms", replies.size(), quorum.required());
            }
        }
        if (failure != null) {
            node.counters().quorumFailures.increment();
            result.completeExceptionally(failure);
        }
        finish();
    }

    private void finishIfAllIn() {
        boolean allIn;
        synchronized (this) {
            allIn = replies.size() + failures == primaries.size();
        }
        if (allIn) {
            finish();
        }
    }

    /** Ends the collection and sends the repairs; runs once. */
    private void finish() {
        Map<NodeId, SiblingSet> collected;
        SiblingSet state;
        Cancellable[] timers;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            distinct.clear();
            collected = new LinkedHashMap<>(replies);
            state = merged;
            timers = new Cancellable[] {deadline, graceEnd};
        }
        for (Cancellable t : timers) {
            if (t != null) {
                t.cancel();
            }
        }
        for (NodeId stale : ReadRepair.staleReplicas(state, collected)) {
            repair(stale, state);
        }
    }

    private void repair(NodeId replica, SiblingSet state) {
        node.counters().readRepairs.increment();
        if (replica.equals(node.self())) {
            node.storage().put(partition, key, state).whenComplete((s, e) -> {
                if (e != null) {
                    LOG.debug("local read repair failed: {}", e.toString());
                }
            });
            return;
        }
        node.transport().request(replica, new ReplicaPut(partition, key, state).encode(),
                node.config().replicaTimeoutMillis()).whenComplete((reply, failure) -> {
                    node.report(replica, failure);
                    if (failure != null) {
                        LOG.debug("read repair of {} failed: {}", replica, failure.toString());
                    }
                });
    }
}
