package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.transport.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One owner's turn in a hint replay round (see {@link HintReplayer}): a probe, then batches in lanes.
 *
 * <p>The turn starts with a <b>probe</b>, a batch of one hint: an owner that is down gets that one request and the
 * turn ends, which is what tells {@link Liveness} when it is back. Once the probe is acknowledged the turn opens
 * {@code maxConcurrent} <b>lanes</b> (as many as the budget has slots; the budget decides how many really run).
 * A lane repeats: acquire a budget permit, read the next batch of the owner's hints, spend its keys and bytes on
 * the budget, send every hint of the batch as a REPLICA_PUT at once, delete each hint once the owner acknowledged
 * it, and close the permit when every send and delete of the batch is over. So at most {@code maxConcurrent}
 * batches are in flight node-wide, and a returning owner is caught up at the budget's rate.
 *
 * <p>The turn stops starting batches on the first failure (the owner's or the store's), when the owner's hints are
 * read to the end, when the replayer closes, or at its deadline; it ends when its last lane has finished, and
 * reports whether hints are left that only the deadline kept it from ({@link Outcome#BACKLOG}).
 *
 * <p>Reading resumes after the last record key read (a cursor), so a lane skips the hints other lanes have in
 * flight without decoding them. Hints are in the order they were stored, so expired ones come first and are
 * dropped on the way (counted and logged), and a read stops once it has a batch: a turn reads what it sends plus
 * what other lanes have in flight, never the rest of a backlog.
 *
 * <p>Threads: reads run on the node's scheduler (a lane hops there before each batch, since a batch ends on a
 * network or storage callback, and the store must not be read on an event loop); replies and deletes complete on
 * any thread and touch only atomics. Reads are serialized by their own lock, which no callback takes.
 */
final class ReplayTurn {

    /** How a turn ended: {@code BACKLOG} when only its deadline stopped it, with hints left to send. */
    enum Outcome { DONE, BACKLOG }

    private static final Logger LOG = LoggerFactory.getLogger(ReplayTurn.class);

    private final NodeServices node;
    private final HintStore hints;
    private final BackgroundBudget budget;
    private final NodeId owner;
    private final long deadlineNanos;
    private final BooleanSupplier closed;
    private final Consumer<Outcome> ended;
    private final Object readLock = new Object();
    private byte[] cursor; // guarded by readLock: the key of the last record read
    private volatile boolean failed;
    private volatile boolean exhausted;
    private final AtomicInteger lanes = new AtomicInteger(1);

    ReplayTurn(NodeServices node, HintStore hints, BackgroundBudget budget, NodeId owner, long deadlineNanos,
            BooleanSupplier closed, Consumer<Outcome> ended) {
        this.node = node;
        this.hints = hints;
        this.budget = budget;
        this.owner = owner;
        this.deadlineNanos = deadlineNanos;
        this.closed = closed;
        this.ended = ended;
    }

    /** Starts with the probe; call on the scheduler's thread. */
    void start() {
        lane(true);
    }

    private boolean stopping() {
        return failed || exhausted || closed.getAsBoolean() || node.clock().nanoTime() - deadlineNanos >= 0;
    }

    /** One lap of a lane; runs on the scheduler's thread. */
    private void lane(boolean probe) {
        if (stopping()) {
            laneEnded();
            return;
        }
        budget.acquire(HintReplayer.KIND).thenAccept(permit -> withPermit(permit, probe));
    }

    // On the scheduler's thread: at once from lane(), or where the budget hands a freed slot on.
    private void withPermit(BackgroundBudget.Permit permit, boolean probe) {
        try {
            if (stopping()) {
                endLap(permit);
                return;
            }
            Batch batch = read(probe ? 1 : node.config().hintReplayBatchSize());
            if (batch.hints.isEmpty()) {
                endLap(permit);
                return;
            }
            permit.spend(batch.hints.size(), batch.bytes).whenComplete((paid, error) -> {
                if (error != null) {
                    failed = true; // the scheduler is closing
                    endLap(permit);
                } else if (closed.getAsBoolean() || failed) {
                    endLap(permit);
                } else {
                    send(batch, permit, probe);
                }
            });
        } catch (RuntimeException e) {
            // A failed scan (the store closing, a disk error) ends the turn; the next round tries again.
            LOG.warn("hint replay for {} failed: {}", owner, e.toString());
            failed = true;
            endLap(permit);
        }
    }

    private void send(Batch batch, BackgroundBudget.Permit permit, boolean probe) {
        AtomicInteger left = new AtomicInteger(batch.hints.size());
        Runnable oneDone = () -> {
            if (left.decrementAndGet() == 0) {
                permit.close();
                next(probe);
            }
        };
        long timeout = node.config().replicaTimeoutMillis();
        for (Hint hint : batch.hints) {
            Message put = new ReplicaPut(hint.partition(), hint.key(), hint.value()).encode();
            CompletableFuture<Message> reply;
            try {
                reply = node.transport().request(owner, put, timeout);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((r, failure) -> {
                node.report(owner, failure);
                if (failure != null) {
                    LOG.debug("hint {} for {} not delivered: {}", hint.sequence(), owner, failure.toString());
                    failed = true;
                    oneDone.run();
                    return;
                }
                // Deletes of a batch arrive together and share the storage writer's group commits.
                hints.remove(hint).whenComplete((removed, error) -> {
                    if (error == null) {
                        node.counters().hintsDelivered.increment();
                    } else {
                        LOG.warn("could not delete delivered hint {} for {}", hint.sequence(), owner, error);
                        failed = true;
                    }
                    oneDone.run();
                });
            });
        }
    }

    /** After a batch: the next lap, on the scheduler; after the probe, the other lanes open too. */
    private void next(boolean probe) {
        int laps = 1;
        if (probe && !stopping()) {
            laps = budget.config().maxConcurrent();
            lanes.addAndGet(laps - 1);
        }
        for (int i = 0; i < laps; i++) {
            try {
                node.scheduler().execute(() -> lane(false));
            } catch (RejectedExecutionException stopped) {
                laneEnded();
            }
        }
    }

    private void endLap(BackgroundBudget.Permit permit) {
        permit.close();
        laneEnded();
    }

    private void laneEnded() {
        if (lanes.decrementAndGet() == 0) {
            boolean backlog = !failed && !exhausted && !closed.getAsBoolean();
            ended.accept(backlog ? Outcome.BACKLOG : Outcome.DONE);
        }
    }

    /**
     * Up to {@code limit} hints (and {@link HintReplayer#MAX_BATCH_BYTES}, at least one) after the cursor, dropping
     * the expired and unreadable ones on the way. Marks the turn exhausted when the owner's range ended.
     */
    private Batch read(int limit) {
        synchronized (readLock) {
            long now = node.clock().currentTimeMillis();
            long maxAge = node.config().maxHintAgeMillis();
            List<Hint> taken = new ArrayList<>();
            long[] bytes = {0};
            int[] expired = {0};
            boolean[] full = {false};
            hints.area().scan(HintCodec.ownerPrefix(owner), (key, value) -> {
                if (cursor != null && Arrays.compareUnsigned(key, cursor) <= 0) {
                    return true; // in flight on another lane, or delivered and not deleted yet
                }
                cursor = key;
                Hint hint;
                try {
                    hint = HintCodec.decode(key, value);
                } catch (ChorusException e) {
                    node.counters().hintsDropped.increment();
                    LOG.warn("dropping an unreadable hint: {}", e.getMessage());
                    hints.removeRaw(key);
                    return true;
                }
                if (hint.isExpired(now, maxAge)) {
                    node.counters().hintsDropped.increment();
                    expired[0]++;
                    hints.remove(hint);
                    return true;
                }
                taken.add(hint);
                bytes[0] += key.length + value.length;
                full[0] = taken.size() >= limit || bytes[0] >= HintReplayer.MAX_BATCH_BYTES;
                return !full[0];
            });
            if (!full[0]) {
                exhausted = true;
            }
            if (expired[0] > 0) {
                LOG.warn("dropped {} hints for {} older than {} ms; anti-entropy will repair what they carried",
                        expired[0], owner, maxAge);
            }
            return new Batch(taken, bytes[0]);
        }
    }

    private record Batch(List<Hint> hints, long bytes) {
    }
}
