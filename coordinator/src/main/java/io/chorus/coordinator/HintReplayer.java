package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.error.ChorusException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent that hands hints back to their owners. Every {@code hintReplayIntervalMillis} it runs one round: for
 * each owner it scans the start of the owner's hints, drops those older than {@code maxHintAgeMillis} (counted and
 * logged: anti-entropy covers them), takes up to {@code hintReplayBatchSize}, and sends each owner its hints one after the
 * other as plain REPLICA_PUTs, deleting each hint only after the owner acknowledged it. An owner's first failure
 * ends its turn for the round, so a down node gets one request per round: that request is the probe that tells
 * {@link Liveness} when it is back. The next round is scheduled when every owner's turn has ended, so rounds never
 * overlap.
 *
 * <p>Thread-safety: a round's state is per owner chain (callbacks of one chain run one after another); the shared
 * parts are atomics, so callbacks may arrive on any thread.
 */
final class HintReplayer {

    private static final Logger LOG = LoggerFactory.getLogger(HintReplayer.class);

    private final NodeServices node;
    private final HintStore hints;
    private final AtomicReference<Cancellable> timer = new AtomicReference<>();
    private volatile boolean closed;

    HintReplayer(NodeServices node, HintStore hints) {
        this.node = node;
        this.hints = hints;
    }

    void start() {
        scheduleNext();
    }

    /** Stops scheduling rounds; a round in progress finishes its sends but starts no next one. */
    void close() {
        closed = true;
        Cancellable t = timer.getAndSet(null);
        if (t != null) {
            t.cancel();
        }
    }

    private void scheduleNext() {
        if (!closed) {
            timer.set(node.scheduler().schedule(this::round, node.config().hintReplayIntervalMillis(),
                    TimeUnit.MILLISECONDS));
        }
    }

    /** One round; runs on the scheduler. */
    void round() {
        if (closed) {
            return;
        }
        Map<NodeId, List<Hint>> due;
        try {
            due = collect(node.clock().currentTimeMillis());
        } catch (RuntimeException e) {
            // A failed scan (the store closing, a disk error) must not end replay for good: try again next round.
            LOG.warn("hint replay round failed", e);
            scheduleNext();
            return;
        }
        if (due.isEmpty()) {
            scheduleNext();
            return;
        }
        AtomicInteger turnsLeft = new AtomicInteger(due.size());
        Runnable turnEnded = () -> {
            if (turnsLeft.decrementAndGet() == 0) {
                scheduleNext();
            }
        };
        due.forEach((owner, list) -> deliver(owner, list, 0, turnEnded));
    }

    /**
     * Takes up to a batch of hints per owner, scanning only the start of each owner's key range: hints are in the
     * order they were stored, so the expired ones come first and are dropped on the way, and the scan stops once
     * the batch is full. A round therefore costs the expired hints plus a batch per owner, however many hints
     * wait (up to 100 000 by default for a node that stays down). Unreadable hints are dropped as well. A hint
     * that expires behind a newer one (the clock went back) is dropped in a later round.
     */
    private Map<NodeId, List<Hint>> collect(long nowMillis) {
        Map<NodeId, List<Hint>> due = new LinkedHashMap<>();
        int batch = node.config().hintReplayBatchSize();
        long maxAge = node.config().maxHintAgeMillis();
        for (NodeId owner : hints.owners()) {
            List<Hint> list = new ArrayList<>();
            int[] expired = {0};
            hints.area().scan(HintCodec.ownerPrefix(owner), (key, value) -> {
                Hint hint;
                try {
                    hint = HintCodec.decode(key, value);
                } catch (ChorusException e) {
                    node.counters().hintsDropped.increment();
                    LOG.warn("dropping an unreadable hint: {}", e.getMessage());
                    hints.removeRaw(key);
                    return true;
                }
                if (hint.isExpired(nowMillis, maxAge)) {
                    node.counters().hintsDropped.increment();
                    expired[0]++;
                    hints.remove(hint);
                    return true;
                }
                list.add(hint);
                return list.size() < batch;
            });
            if (expired[0] > 0) {
                LOG.warn("dropped {} hints for {} older than {} ms; anti-entropy will repair what they carried",
                        expired[0], owner, maxAge);
            }
            if (!list.isEmpty()) {
                due.put(owner, list);
            }
        }
        return due;
    }

    private void deliver(NodeId owner, List<Hint> list, int index, Runnable turnEnded) {
        if (index == list.size() || closed) {
            turnEnded.run();
            return;
        }
        Hint hint = list.get(index);
        ReplicaPut put = new ReplicaPut(hint.partition(), hint.key(), hint.value());
        node.transport().request(owner, put.encode(), node.config().replicaTimeoutMillis())
                .whenComplete((reply, failure) -> {
                    node.report(owner, failure);
                    if (failure != null) {
                        LOG.debug("hint {} for {} not delivered: {}", hint.sequence(), owner, failure.toString());
                        turnEnded.run();
                        return;
                    }
                    hints.remove(hint).whenComplete((removed, error) -> {
                        if (error == null) {
                            node.counters().hintsDelivered.increment();
                            deliver(owner, list, index + 1, turnEnded);
                        } else {
                            LOG.warn("could not delete delivered hint {} for {}", hint.sequence(), owner, error);
                            turnEnded.run();
                        }
                    });
                });
    }
}
