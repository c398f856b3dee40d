package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.Scheduler.Cancellable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent that hands hints back to their owners, within the node's {@link BackgroundBudget}. It runs in rounds;
 * a round gives every owner this node holds hints for a turn ({@link ReplayTurn}), all turns at once:
 * <ul>
 *   <li>A turn starts with a probe, one hint alone: a down owner gets that one request per round, and its failure
 *       ends the turn. The probe is what tells {@link Liveness} that the owner is back.</li>
 *   <li>Once the probe is acknowledged, the owner's hints go in batches of {@code hintReplayBatchSize}, each sent
 *       at once as plain REPLICA_PUTs while holding one budget permit and after spending its keys and bytes on
 *       the budget, with as many batches in flight as the budget has slots. A hint is deleted only after the
 *       owner acknowledged it; the first failure stops the turn.</li>
 *   <li>Hints older than {@code maxHintAgeMillis} are dropped unsent, counted and logged: anti-entropy covers
 *       them. Reads take the front of each owner's hints only, so an owner that stays down behind a backlog costs
 *       the expired hints plus the probe per round, not a pass over the backlog.</li>
 *   <li>A turn runs for at most {@code hintReplayIntervalMillis}, so that the owners that are down are probed
 *       about once per interval whatever the others' backlogs. The next round starts when every turn has ended
 *       (rounds never overlap): at once if a turn was stopped by its deadline with hints left, else after
 *       {@code hintReplayIntervalMillis}. So a returning owner is caught up at the budget's rate, not a batch per
 *       interval.</li>
 * </ul>
 *
 * <p>Thread-safety: rounds run on the node's scheduler; a round's shared parts are atomics, so callbacks may
 * arrive on any thread.
 */
final class HintReplayer {

    /** The budget's name for this work. */
    static final String KIND = "hints";
    /** A batch stops growing at this many bytes of hint records (it holds at least one hint, however large). */
    static final long MAX_BATCH_BYTES = 4L << 20;

    private final NodeServices node;
    private final HintStore hints;
    private final BackgroundBudget budget;
    private final AtomicReference<Cancellable> timer = new AtomicReference<>();
    private volatile boolean closed;

    HintReplayer(NodeServices node, HintStore hints, BackgroundBudget budget) {
        this.node = node;
        this.hints = hints;
        this.budget = budget;
    }

    void start() {
        scheduleNext(false);
    }

    /** Stops scheduling rounds; sends in flight finish, but no turn starts another batch. */
    void close() {
        closed = true;
        Cancellable t = timer.getAndSet(null);
        if (t != null) {
            t.cancel();
        }
    }

    private void scheduleNext(boolean backlog) {
        if (closed) {
            return;
        }
        if (backlog) {
            node.scheduler().execute(this::round);
        } else {
            timer.set(node.scheduler().schedule(this::round, node.config().hintReplayIntervalMillis(),
                    TimeUnit.MILLISECONDS));
        }
    }

    /** One round; runs on the scheduler. */
    void round() {
        if (closed) {
            return;
        }
        List<NodeId> owners = List.copyOf(hints.owners());
        if (owners.isEmpty()) {
            scheduleNext(false);
            return;
        }
        long interval = node.config().hintReplayIntervalMillis();
        long deadline = node.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(interval);
        AtomicInteger turnsLeft = new AtomicInteger(owners.size());
        AtomicBoolean backlog = new AtomicBoolean();
        for (NodeId owner : owners) {
            ReplayTurn turn = new ReplayTurn(node, hints, budget, owner, deadline, () -> closed, outcome -> {
                if (outcome == ReplayTurn.Outcome.BACKLOG) {
                    backlog.set(true);
                }
                if (turnsLeft.decrementAndGet() == 0) {
                    scheduleNext(backlog.get());
                }
            });
            turn.start();
        }
    }
}
