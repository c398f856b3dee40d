package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.Scheduler;
import io.chorus.testkit.VirtualScheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The budget's two limits on their own, in virtual time: slots handed out first come first served, and rates. */
class BackgroundBudgetTest {

    private static final BudgetConfig UNLIMITED_RATES =
            new BudgetConfig(2, BudgetConfig.UNLIMITED, BudgetConfig.UNLIMITED);

    private final VirtualScheduler scheduler = new VirtualScheduler(0);

    private BackgroundBudget budget(BudgetConfig config) {
        return BackgroundBudget.of(config, scheduler.clock(), scheduler);
    }

    @Test
    void slotsAreGrantedUpToTheLimitThenInTheOrderAsked() {
        BackgroundBudget budget = budget(UNLIMITED_RATES);
        CompletableFuture<BackgroundBudget.Permit> a = budget.acquire("hints");
        CompletableFuture<BackgroundBudget.Permit> b = budget.acquire("aae");
        CompletableFuture<BackgroundBudget.Permit> c = budget.acquire("hints");
        CompletableFuture<BackgroundBudget.Permit> d = budget.acquire("aae");
        assertThat(a).isCompleted();
        assertThat(b).isCompleted();
        assertThat(c).isNotDone();
        assertThat(budget.stats().inUse()).isEqualTo(2);
        assertThat(budget.stats().waiting()).isEqualTo(2);

        b.join().close();
        // Handed on through the scheduler, not on the closing thread (which may be an event loop).
        assertThat(c).isNotDone();
        scheduler.runUntilIdle();
        assertThat(c).isCompleted();
        assertThat(d).isNotDone();
        assertThat(budget.stats().inUse()).as("the slot went straight to the waiter").isEqualTo(2);

        a.join().close();
        scheduler.runUntilIdle();
        assertThat(d).isCompleted();
        assertThat(budget.stats().kinds()).containsEntry("hints", new BudgetStats.Kind(2, 1, 0, 0))
                .containsEntry("aae", new BudgetStats.Kind(2, 1, 0, 0));
    }

    @Test
    void closingTwiceFreesOneSlot() {
        BackgroundBudget budget = budget(UNLIMITED_RATES.withMaxConcurrent(1));
        BackgroundBudget.Permit first = budget.acquire("hints").join();
        CompletableFuture<BackgroundBudget.Permit> second = budget.acquire("hints");
        CompletableFuture<BackgroundBudget.Permit> third = budget.acquire("hints");
        first.close();
        first.close();
        scheduler.runUntilIdle();
        assertThat(second).isCompleted();
        assertThat(third).as("the second close must not free a slot it no longer holds").isNotDone();
        assertThat(first.isClosed()).isTrue();
        assertThat(first.spend(1, 1)).isCompletedExceptionally();
    }

    @Test
    void aSlotThatReachesACancelledWaiterPassesOn() {
        BackgroundBudget budget = budget(UNLIMITED_RATES.withMaxConcurrent(1));
        BackgroundBudget.Permit held = budget.acquire("aae").join();
        CompletableFuture<BackgroundBudget.Permit> gaveUp = budget.acquire("hints");
        CompletableFuture<BackgroundBudget.Permit> next = budget.acquire("hints");
        gaveUp.cancel(false);
        held.close();
        scheduler.runUntilIdle();
        assertThat(next).isCompleted();
        next.join().close();
        assertThat(budget.stats().inUse()).isZero();
        assertThat(budget.acquire("aae")).as("no slot leaked").isCompleted();
    }

    @Test
    void workThatFailsStillFreesItsSlot() {
        BackgroundBudget budget = budget(UNLIMITED_RATES.withMaxConcurrent(1));
        CompletableFuture<Void> work = budget.acquire("aae").thenCompose(permit -> CompletableFuture
                .<Void>failedFuture(new IllegalStateException("exchange failed"))
                .whenComplete((v, e) -> permit.close()));
        assertThat(work).isCompletedExceptionally();
        assertThat(budget.stats().inUse()).isZero();
        assertThat(budget.acquire("hints")).isCompleted();
    }

    @Test
    void aSlotFreedAfterTheSchedulerClosedStillReachesItsWaiter() {
        ClosedScheduler closed = new ClosedScheduler();
        BackgroundBudget budget = BackgroundBudget.of(UNLIMITED_RATES.withMaxConcurrent(1), scheduler.clock(),
                closed);
        BackgroundBudget.Permit held = budget.acquire("hints").join();
        CompletableFuture<BackgroundBudget.Permit> waiter = budget.acquire("hints");
        held.close();
        assertThat(waiter).isCompleted();
        waiter.join().close();
        assertThat(budget.stats().inUse()).isZero();
    }

    @Test
    void aSpendThatMustWaitFailsWhenTheSchedulerIsClosed() {
        BackgroundBudget budget = BackgroundBudget.of(new BudgetConfig(1, 10, BudgetConfig.UNLIMITED),
                scheduler.clock(), new ClosedScheduler());
        BackgroundBudget.Permit permit = budget.acquire("hints").join();
        assertThat(permit.spend(10, 0)).isCompleted();
        assertThat(permit.spend(1, 0)).isCompletedExceptionally();
        permit.close();
        assertThat(budget.stats().inUse()).isZero();
    }

    @Test
    void aSpendWithinTheBurstCompletesAtOnceAndTheNextWaitsForItsTokens() {
        BackgroundBudget budget = budget(new BudgetConfig(1, 1_000, BudgetConfig.UNLIMITED));
        BackgroundBudget.Permit permit = budget.acquire("hints").join();
        assertThat(permit.spend(1_000, 0)).as("a full bucket holds one second's worth").isCompleted();
        CompletableFuture<Void> next = permit.spend(250, 0);
        assertThat(next).isNotDone();
        scheduler.advance(249);
        assertThat(next).isNotDone();
        scheduler.advance(1);
        assertThat(next).isCompleted();
        assertThat(budget.stats().throttled()).isEqualTo(1);
        assertThat(budget.stats().throttledNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void aBatchLargerThanTheBurstGoesIntoDebtAndTheNextSpendWaitsBehindIt() {
        BackgroundBudget budget = budget(new BudgetConfig(1, 1_000, BudgetConfig.UNLIMITED));
        BackgroundBudget.Permit permit = budget.acquire("hints").join();
        CompletableFuture<Void> big = permit.spend(3_000, 0);
        CompletableFuture<Void> small = permit.spend(1, 0);
        assertThat(scheduler.runUntil(big::isDone, 10_000)).isTrue();
        assertThat(scheduler.clock().nanoTime()).as("waits for its excess over the burst")
                .isEqualTo(TimeUnit.SECONDS.toNanos(2));
        assertThat(small).isNotDone();
        assertThat(scheduler.runUntil(small::isDone, 10_000)).isTrue();
        assertThat(scheduler.clock().nanoTime()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(2_001));
    }

    @Test
    void anIdleBucketRefillsToOneSecondsWorthAndNoMore() {
        BackgroundBudget budget = budget(new BudgetConfig(1, 1_000, BudgetConfig.UNLIMITED));
        BackgroundBudget.Permit permit = budget.acquire("hints").join();
        assertThat(permit.spend(1_000, 0)).isCompleted();
        scheduler.advance(60_000);
        assertThat(permit.spend(1_000, 0)).isCompleted();
        assertThat(permit.spend(1, 0)).as("a minute idle saved one second, not sixty").isNotDone();
    }

    @Test
    void tenSecondsAtAThousandKeysPerSecondLetTenThousandThroughPlusOneBurst() {
        Through through = pump(new BudgetConfig(2, 1_000, BudgetConfig.UNLIMITED), 10, 1, 10_000);
        assertThat(through.keys()).isBetween(10_000L, 11_000L + 10);
    }

    @Test
    void theBytesRateHoldsLikeTheKeysRate() {
        // 3 MiB/s is not a whole number of nanoseconds per byte: rounding must not drift the rate.
        long rate = 3L << 20;
        Through through = pump(new BudgetConfig(2, BudgetConfig.UNLIMITED, rate), 1, 4_099, 10_000);
        assertThat(through.bytes()).isBetween(10 * rate, 11 * rate + 4_099);
    }

    @Test
    void theSlowerOfTheTwoRatesDecides() {
        // 1000 keys/s would allow 11 000 keys; 100 bytes per key at 50 000 bytes/s allows 5 500 keys.
        Through through = pump(new BudgetConfig(1, 1_000, 50_000), 1, 100, 10_000);
        assertThat(through.bytes()).isBetween(500_000L, 550_000L + 100);
    }

    @Test
    void unlimitedRatesNeverWait() {
        BackgroundBudget budget = budget(UNLIMITED_RATES);
        BackgroundBudget.Permit permit = budget.acquire("hints").join();
        for (int i = 0; i < 1_000; i++) {
            assertThat(permit.spend(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2)).isCompleted();
        }
        assertThat(budget.stats().throttled()).isZero();
    }

    @Test
    void configRefusesNoConcurrencyAndNoRate() {
        assertThatThrownBy(() -> new BudgetConfig(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BudgetConfig(BudgetConfig.MAX_CONCURRENT + 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BudgetConfig(1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BudgetConfig(1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(BudgetConfig.defaults()).isEqualTo(new BudgetConfig(2, 20_000, 32L << 20));
        BackgroundBudget.Permit permit = budget(UNLIMITED_RATES).acquire("hints").join();
        assertThatThrownBy(() -> permit.spend(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * As many loops as the budget has slots, each spending {@code keysPerSpend} keys of {@code bytesPerKey} bytes
     * again as soon as its last spend completed, for {@code millis} of virtual time; returns what went through.
     */
    private Through pump(BudgetConfig config, int keysPerSpend, int bytesPerKey, long millis) {
        BackgroundBudget budget = budget(config);
        AtomicLong keys = new AtomicLong();
        long end = TimeUnit.MILLISECONDS.toNanos(millis);
        long bytes = (long) keysPerSpend * bytesPerKey;
        for (int w = 0; w < config.maxConcurrent(); w++) {
            BackgroundBudget.Permit permit = budget.acquire("aae").join();
            Runnable[] loop = new Runnable[1];
            loop[0] = () -> permit.spend(keysPerSpend, bytes).thenRun(() -> {
                if (scheduler.clock().nanoTime() <= end) {
                    keys.addAndGet(keysPerSpend);
                    scheduler.execute(loop[0]);
                }
            });
            loop[0].run();
        }
        scheduler.advance(millis);
        return new Through(keys.get(), keys.get() * bytesPerKey);
    }

    private record Through(long keys, long bytes) {
    }

    /** A scheduler that has been shut down, as a node's is while it stops. */
    private static final class ClosedScheduler implements Scheduler {
        @Override
        public void execute(Runnable task) {
            throw new RejectedExecutionException("closed");
        }

        @Override
        public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
            throw new RejectedExecutionException("closed");
        }
    }
}
