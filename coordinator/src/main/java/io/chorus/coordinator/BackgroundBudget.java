package io.chorus.coordinator;

import io.chorus.core.Clock;
import io.chorus.core.Scheduler;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one bound on a node's background work (hint replay, anti-entropy, handoff), so that it cannot starve
 * foreground requests, as Riak's hint and handoff storms (riak_core#994) and its AAE rebuild storms (riak_kv#1039)
 * did. Two limits, shared by every kind of background work:
 * <ul>
 *   <li><b>Concurrency</b>: at most {@code maxConcurrent} {@link Permit}s are open at once. {@link #acquire}
 *       completes when a slot is free; waiters are served first come, first served, whatever their kind, so
 *       hints and anti-entropy take turns. A unit of work holds a permit while it runs (a batch of hints in
 *       flight, one exchange) and closes it when done, failed or not.</li>
 *   <li><b>Rate</b>: {@link Permit#spend} takes keys and bytes from two token buckets that refill at
 *       {@code keysPerSecond} and {@code bytesPerSecond} and hold one second's worth. A spend completes at once
 *       when the tokens are there; otherwise the bucket goes into debt by the whole spend and the spend completes
 *       when the debt is paid, so a batch larger than the burst still goes (after the time its excess needs), and
 *       later spends wait behind it. Over any interval of length T at most {@code rate * T} plus one burst passes.</li>
 * </ul>
 *
 * <p>Time is the given {@link Clock}'s; waiting is a task on the given {@link Scheduler}, never a sleeping thread.
 * A future that cannot complete at once completes on the scheduler's thread: a slot freed by a network callback
 * is handed to its next waiter there, because what the waiter does next (a scan of the store) must not run on an
 * event loop. A future that completes at once completes on the caller's thread.
 *
 * <p>Thread-safety: thread-safe. All state is under one lock, held for a few field updates; futures are
 * completed and tasks scheduled after it is released.
 */
public final class BackgroundBudget {

    private final BudgetConfig config;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Object lock = new Object();
    // Guarded by lock:
    private final TokenBucket keys;
    private final TokenBucket bytes;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Map<String, KindCounts> kinds = new HashMap<>();
    private int inUse;
    private long keysSpent;
    private long bytesSpent;
    private long throttled;
    private long throttledNanos;

    private BackgroundBudget(BudgetConfig config, Clock clock, Scheduler scheduler) {
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        long now = clock.nanoTime();
        this.keys = new TokenBucket(config.keysPerSecond(), now);
        this.bytes = new TokenBucket(config.bytesPerSecond(), now);
    }

    public static BackgroundBudget of(BudgetConfig config, Clock clock, Scheduler scheduler) {
        return new BackgroundBudget(Objects.requireNonNull(config, "config"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(scheduler, "scheduler"));
    }

    public BudgetConfig config() {
        return config;
    }

    /**
     * A permit for one unit of background work of {@code kind} (for the stats: "hints", "aae", "handoff"):
     * completes when one of the slots is free, in the order of the calls. The caller must close the permit, on
     * every path. A caller that gives up may cancel the future; a slot that reaches a cancelled waiter passes on.
     */
    public CompletableFuture<Permit> acquire(String kind) {
        Objects.requireNonNull(kind, "kind");
        CompletableFuture<Permit> future = new CompletableFuture<>();
        Waiter waiter;
        synchronized (lock) {
            if (inUse < config.maxConcurrent()) {
                // A slot passes straight from a closed permit to the next waiter, so a free slot means none waits.
                inUse++;
                granted(kind);
                waiter = null;
            } else {
                waiter = new Waiter(kind, future);
                waiters.add(waiter);
            }
        }
        if (waiter == null) {
            future.complete(new Permit(kind));
        } else {
            // A waiter that gave up leaves the queue, so that it is not counted as waiting.
            future.whenComplete((permit, failure) -> {
                if (future.isCancelled()) {
                    synchronized (lock) {
                        waiters.remove(waiter);
                    }
                }
            });
        }
        return future;
    }

    public BudgetStats stats() {
        synchronized (lock) {
            Map<String, BudgetStats.Kind> byKind = new HashMap<>();
            kinds.forEach((kind, c) -> byKind.put(kind, new BudgetStats.Kind(c.granted, c.inUse, c.keys, c.bytes)));
            return new BudgetStats(config.maxConcurrent(), inUse, waiters.size(), keysSpent, bytesSpent, throttled,
                    throttledNanos, byKind);
        }
    }

    private CompletableFuture<Void> spend(String kind, long keyCount, long byteCount) {
        if (keyCount < 0 || byteCount < 0) {
            throw new IllegalArgumentException("cannot spend a negative amount: " + keyCount + " keys, " + byteCount
                    + " bytes");
        }
        long waitNanos;
        synchronized (lock) {
            long now = clock.nanoTime();
            waitNanos = Math.max(keys.take(keyCount, now), bytes.take(byteCount, now));
            keysSpent += keyCount;
            bytesSpent += byteCount;
            KindCounts counts = kinds.get(kind);
            counts.keys += keyCount;
            counts.bytes += byteCount;
            if (waitNanos > 0) {
                throttled++;
                throttledNanos += waitNanos;
            }
        }
        if (waitNanos == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> paid = new CompletableFuture<>();
        try {
            scheduler.schedule(() -> paid.complete(null), waitNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // The node is stopping: the work should not go on.
            paid.completeExceptionally(closed);
        }
        return paid;
    }

    private void release(String kind) {
        Waiter next;
        synchronized (lock) {
            kinds.get(kind).inUse--;
            next = waiters.poll();
            if (next == null) {
                inUse--;
                return;
            }
            granted(next.kind);
        }
        Permit permit = new Permit(next.kind);
        Runnable handOff = () -> {
            if (!next.future.complete(permit)) {
                permit.close(); // the waiter gave up
            }
        };
        try {
            scheduler.execute(handOff);
        } catch (RejectedExecutionException closed) {
            handOff.run(); // the node is stopping; the waiter must still hear, and then close its permit
        }
    }

    private void granted(String kind) {
        KindCounts counts = kinds.computeIfAbsent(kind, k -> new KindCounts());
        counts.granted++;
        counts.inUse++;
    }

    @Override
    public String toString() {
        return "BackgroundBudget" + stats();
    }

    /**
     * One slot of the budget, held while a unit of work runs. Thread-safe; {@link #close()} is idempotent, so
     * every path of the work may close it.
     */
    public final class Permit implements AutoCloseable {

        private final String kind;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit(String kind) {
            this.kind = kind;
        }

        public String kind() {
            return kind;
        }

        /**
         * Spends {@code keyCount} keys and {@code byteCount} bytes of the rate on this permit's work; completes
         * when they are paid for (at once if the buckets hold them), or fails if the scheduler is closed. Spend
         * before the work: the wait is what slows it down.
         */
        public CompletableFuture<Void> spend(long keyCount, long byteCount) {
            if (closed.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("the permit is closed"));
            }
            return BackgroundBudget.this.spend(kind, keyCount, byteCount);
        }

        public boolean isClosed() {
            return closed.get();
        }

        /** Frees the slot for the next waiter; later calls do nothing. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(kind);
            }
        }

        @Override
        public String toString() {
            return "Permit[" + kind + (closed.get() ? ", closed]" : "]");
        }
    }

    private record Waiter(String kind, CompletableFuture<Permit> future) {
    }

    private static final class KindCounts {
        long granted;
        int inUse;
        long keys;
        long bytes;
    }
}
