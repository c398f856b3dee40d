package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.QuorumException;
import io.chorus.core.transport.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read coordinated by this node, as a state machine advanced by callbacks: each replica's reply (this node's
 * own local read included), the deadline, the speculative and replica timers, the end of the repair window. It
 * only sends, times and applies decisions: whether R is reached, the answer and the repairs are
 * {@link ReadQuorum}'s, the order replicas are asked in {@link ReadTargets}'.
 *
 * <p><b>Whom it asks</b> ({@link ReadFanout#QUORUM}, the default): R primaries, this node first, then the next
 * live others. A replica that fails (an error, unreachable, a state that does not decode; "not found" is a
 * success) is replaced at once by the next, so R is met while R replicas can answer. When the asked have not all
 * answered after the speculative delay ({@link SpeculativeRetry}), one more is asked, and whichever R answer first
 * make the answer; after the replica timeout without a quorum, every replica not yet asked is (as a write tries a
 * fallback after it): a silent replica costs a read at most that, speculation or not. Every request waits until
 * the read's deadline, so a slow reply still counts. With {@link ReadFanout#ALL} all N are asked at once.
 *
 * <p><b>Answers</b>: the merge of the first R successes; a key absent on R replicas is the empty set, a normal
 * answer. QUORUM_NOT_MET as soon as too many replicas failed for R to be reached, TIMEOUT at the deadline, both
 * with the successes received. Fallbacks are not asked: their hints are not readable data.
 *
 * <p><b>Read repair</b>: after answering, it keeps collecting the asked replicas' replies for the grace window (or
 * until all are in), then sends the merged state as a REPLICA_PUT to every replier whose state did not include it
 * ({@link ReadQuorum#staleReplicas()}), in the background. A failed read repairs the replicas that did reply too.
 * With probability {@code readRepairChance}, a read that did not ask every replica asks the rest right after
 * answering the client and repairs them in the same way (Cassandra's read_repair_chance); anti-entropy covers the
 * replicas no read compares.
 *
 * <p>Thread-safety: the state is guarded by this object's monitor, never held while sending or completing.
 */
final class ReadRequest {

    private static final Logger LOG = LoggerFactory.getLogger(ReadRequest.class);

    private final NodeServices node;
    private final int partition;
    private final byte[] key;
    private final Quorum quorum;
    private final ReadLatency latency;
    private final Chance chance;
    private final CompletableFuture<SiblingSet> result = new CompletableFuture<>();
    private final long deadlineNanos;
    private final Message get;

    // Guarded by this.
    private final ReadQuorum votes;
    private final ReadTargets targets;
    /** Replicas asked only after the answer, to compare them: their repairs count as background repairs. */
    private final Set<NodeId> background = new HashSet<>();
    private final List<Decoded> distinct = new ArrayList<>(2);
    /** Replicas asked and not heard from yet. */
    private int outstanding;
    private boolean answered;
    private boolean finished;
    private Cancellable deadline;
    private Cancellable speculation;
    private Cancellable widening;
    private Cancellable graceEnd;

    private ReadRequest(NodeServices node, int partition, byte[] key, Quorum quorum, List<NodeId> primaries,
            ReadLatency latency, Chance chance) {
        this.node = node;
        this.partition = partition;
        this.key = key;
        this.quorum = quorum;
        this.latency = latency;
        this.chance = chance;
        this.deadlineNanos = node.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(quorum.timeoutMillis());
        this.get = new ReplicaGet(partition, key).encode();
        this.votes = new ReadQuorum(quorum.required(), primaries.size());
        this.targets = ReadTargets.of(primaries, node.self(), node.liveness()::isAlive);
    }

    /**
     * Starts the read of {@code key} from {@code primaries} (the first N of the walk, this node among them);
     * {@code latency} is this coordinator's record of replica reads, {@code chance} its coin for background repair.
     */
    static CompletableFuture<SiblingSet> start(NodeServices node, int partition, byte[] key, Quorum quorum,
            List<NodeId> primaries, ReadLatency latency, Chance chance) {
        ReadRequest request = new ReadRequest(node, partition, key, quorum, primaries, latency, chance);
        request.begin();
        return request.result;
    }

    private boolean quorumFanout() {
        return node.config().readFanout() == ReadFanout.QUORUM;
    }

    private void begin() {
        Cancellable timer = node.scheduler().schedule(this::onDeadline, quorum.timeoutMillis(),
                TimeUnit.MILLISECONDS);
        List<NodeId> first;
        synchronized (this) {
            deadline = timer;
            first = take(quorumFanout() ? quorum.required() : targets.remaining());
        }
        ask(first);
        if (quorumFanout()) {
            scheduleWidening();
        }
    }

    /** Takes the next {@code count} targets as asked. Call holding the monitor. */
    private List<NodeId> take(int count) {
        List<NodeId> taken = targets.take(count);
        outstanding += taken.size();
        return taken;
    }

    /**
     * The speculative timer, or the replica timer when there is none, for a read that has replicas left to ask and
     * no answer yet: one timer armed per read (the speculative one arms the replica timer when it fires), since
     * nearly every read cancels it. Neither is worth a timer past the deadline.
     */
    private void scheduleWidening() {
        long replicaTimeout = wideningMillis();
        long speculate = latency.speculativeDelayMillis(node.config().speculativeRetry(), replicaTimeout,
                node.clock().nanoTime());
        if (speculate >= 0 && speculate < replicaTimeout) {
            arm(true, speculate);
        } else {
            arm(false, replicaTimeout);
        }
    }

    /** Arms the speculative or the replica timer after {@code delayMillis}, unless the read needs neither. */
    private void arm(boolean speculative, long delayMillis) {
        synchronized (this) {
            if (answered || targets.remaining() == 0) {
                return;
            }
        }
        if (!speculative && wideningMillis() >= quorum.timeoutMillis()) {
            return; // the deadline comes first
        }
        Cancellable timer = node.scheduler().schedule(speculative ? this::onSpeculate : this::onReplicaTimeout,
                delayMillis, TimeUnit.MILLISECONDS);
        boolean late;
        synchronized (this) {
            if (speculative) {
                speculation = timer;
            } else {
                widening = timer;
            }
            // The answer may have come on another thread since the check above.
            late = answered;
        }
        if (late) {
            timer.cancel();
        }
    }

    /** The asked have not all answered after the speculative delay: one more replica is asked. */
    private void onSpeculate() {
        List<NodeId> extra;
        synchronized (this) {
            if (answered || finished) {
                return;
            }
            extra = outstanding == 0 ? List.of() : take(1);
        }
        if (!extra.isEmpty()) {
            node.counters().speculativeReads.increment();
            ask(extra);
        }
        // The replica timer counts from the start of the read, as a write's replica timeout does.
        long elapsedMillis = quorum.timeoutMillis() - (deadlineNanos - node.clock().nanoTime()) / 1_000_000;
        arm(false, Math.max(1, wideningMillis() - elapsedMillis));
    }

    /**
     * When a read without R replies asks every replica not asked yet: after the replica timeout, or half the read's
     * own timeout when that is shorter, so that a client's short timeout still leaves room to reach the others.
     */
    private long wideningMillis() {
        return Math.min(node.config().replicaTimeoutMillis(), Math.max(1, quorum.timeoutMillis() / 2));
    }

    /** No quorum after the replica timeout: every replica not asked yet is. */
    private void onReplicaTimeout() {
        List<NodeId> rest;
        synchronized (this) {
            if (answered || finished) {
                return;
            }
            rest = take(targets.remaining());
        }
        if (!rest.isEmpty()) {
            node.counters().readsWidened.increment();
            ask(rest);
        }
    }

    private synchronized boolean answeredYet() {
        return answered;
    }

    /** Sends to the remote replicas of {@code replicas}, then reads locally if this node is among them. */
    private void ask(List<NodeId> replicas) {
        ask(replicas, false);
    }

    /** As {@link #ask(List)}; {@code comparing}: asked after the answer, for background read repair. */
    private void ask(List<NodeId> replicas, boolean comparing) {
        boolean local = false;
        for (NodeId replica : replicas) {
            if (replica.equals(node.self())) {
                local = true;
                continue;
            }
            long sentNanos = node.clock().nanoTime();
            long waitMillis = Math.max(1, (deadlineNanos - sentNanos + 999_999) / 1_000_000);
            if (comparing) {
                // Asked after the answer, only to compare: a silent one need not hold its slot until the deadline.
                waitMillis = Math.min(waitMillis, node.config().replicaTimeoutMillis());
            }
            node.transport().request(replica, get, waitMillis).whenComplete((reply, failure) -> {
                node.report(replica, failure);
                if (failure == null && !answeredYet()) {
                    // Only replies that could still count: a replica that is slow for good keeps replying after
                    // the answers speculation gave without it, and its latency in the percentile would raise the
                    // delay to its own until speculation no longer overtook it.
                    long now = node.clock().nanoTime();
                    latency.record(now - sentNanos, now);
                }
                if (failure != null && node.timedOutAtDeadline(failure, deadlineNanos)) {
                    // The deadline has come, on the transport's timer, which may run a little ahead of ours; the
                    // answer is TIMEOUT either way, not QUORUM_NOT_MET by timer race. An earlier TIMEOUT (a connect
                    // that timed out) is a failure of that replica like any other.
                    onDeadline();
                } else if (failure != null) {
                    onFailure(replica);
                } else {
                    onEncodedReply(replica, reply.bodyUnsafe());
                }
            });
        }
        if (!local) {
            return;
        }
        // The local read last: with R = 1 it may answer at once, after the remote requests are on their way.
        byte[] state;
        try {
            state = node.storage().getEncoded(partition, key);
        } catch (RuntimeException e) {
            LOG.warn("local read of partition {} failed: {}", partition, e.getMessage());
            onFailure(node.self());
            return;
        }
        onEncodedReply(node.self(), state);
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
                onFailure(replica);
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
        List<NodeId> compare = List.of();
        boolean startGrace = false;
        synchronized (this) {
            if (finished || !votes.ok(replica, set)) {
                return;
            }
            outstanding--;
            if (!answered && votes.verdict() == ReadQuorum.Verdict.ENOUGH) {
                answered = true;
                answer = votes.merged();
                if (quorumFanout() && targets.remaining() > 0
                        && chance.flip(node.config().readRepairChance())) {
                    compare = take(targets.remaining());
                    background.addAll(compare);
                }
                startGrace = outstanding > 0;
            }
        }
        if (answer != null) {
            cancelWidening();
            result.complete(answer);
            if (!compare.isEmpty()) {
                // After the client has its answer: the comparison costs the client nothing.
                node.counters().backgroundReadRepairChecks.increment();
                ask(compare, true);
            }
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

    private void onFailure(NodeId replica) {
        QuorumException failure = null;
        List<NodeId> next = List.of();
        synchronized (this) {
            if (finished || !votes.error(replica)) {
                return;
            }
            outstanding--;
            if (!answered && votes.verdict() == ReadQuorum.Verdict.IMPOSSIBLE) {
                answered = true;
                failure = votes.notMet();
            } else if (!answered) {
                // Replace the failed replica at once, unless a speculative one already makes up for it.
                next = take(votes.required() - votes.acks() - outstanding);
            }
        }
        if (failure != null) {
            cancelWidening();
            node.counters().quorumFailures.increment();
            result.completeExceptionally(failure);
        }
        if (!next.isEmpty()) {
            ask(next);
        }
        finishIfAllIn();
    }

    private void onDeadline() {
        QuorumException failure = null;
        synchronized (this) {
            if (!answered) {
                answered = true;
                failure = votes.timedOut(quorum.timeoutMillis());
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
            allIn = answered && outstanding == 0;
        }
        if (allIn) {
            finish();
        }
    }

    private void cancelWidening() {
        Cancellable spec;
        Cancellable widen;
        synchronized (this) {
            spec = speculation;
            widen = widening;
        }
        cancel(spec);
        cancel(widen);
    }

    private static void cancel(Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Ends the collection and sends the repairs; runs once. */
    private void finish() {
        List<NodeId> stale;
        Set<NodeId> comparedOnly;
        SiblingSet state;
        Cancellable[] timers;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            distinct.clear();
            stale = votes.staleReplicas();
            comparedOnly = Set.copyOf(background);
            state = votes.merged();
            timers = new Cancellable[] {deadline, speculation, widening, graceEnd};
        }
        for (Cancellable t : timers) {
            cancel(t);
        }
        for (NodeId replica : stale) {
            if (comparedOnly.contains(replica)) {
                node.counters().backgroundReadRepairs.increment();
            }
            repair(replica, state);
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
