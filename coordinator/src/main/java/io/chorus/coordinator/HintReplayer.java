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
 * The agent that hands hints back to their owners. Every {@code hintReplayIntervalMillis} it runs one round: it
 * scans the hint store, drops hints older than {@code maxHintAgeMillis} (counted and logged: anti-entropy covers
 * them), takes up to {@code hintReplayBatchSize} hints per owner, and sends each owner its hints one after the
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
        Map<NodeId, List<Hint>> due = collect(node.clock().currentTimeMillis());
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

    /** Scans the store: drops expired and unreadable hints, groups the rest by owner, at most a batch each. */
    private Map<NodeId, List<Hint>> collect(long nowMillis) {
        Map<NodeId, List<Hint>> due = new LinkedHashMap<>();
        int batch = node.config().hintReplayBatchSize();
        long maxAge = node.config().maxHintAgeMillis();
        Map<NodeId, Integer> expired = new LinkedHashMap<>();
        hints.area().scan(new byte[0], (key, value) -> {
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
                expired.merge(hint.owner(), 1, Integer::sum);
                hints.remove(hint);
            } else {
                List<Hint> list = due.computeIfAbsent(hint.owner(), o -> new ArrayList<>());
                if (list.size() < batch) {
                    list.add(hint);
                }
            }
            return true;
        });
        expired.forEach((owner, count) -> LOG.warn("dropped {} hints for {} older than {} ms; anti-entropy will "
                + "repair what they carried", count, owner, maxAge));
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
