package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.testkit.SimulationSeeds;
import io.chorus.testkit.VirtualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded random workloads on one budget: units of work of random kinds arrive at random times, spend random
 * amounts between random pauses, and some give up waiting or fail half way. Checked: never more permits open than
 * slots, slots granted in the order asked (the waiters that gave up aside), by any instant t no bucket let through
 * more than {@code rate * (t + 1 s)} (the burst is one second's worth), and within any window from a to b no more
 * than {@code rate * (b - a)} plus the burst plus one spend (a spend that waited was paid for partly before a);
 * at the end every unit finished and the budget is idle, with every spend counted.
 */
@Tag(SimulationSeeds.TAG)
class BackgroundBudgetFuzzTest {

    private static final String[] KINDS = {"hints", "aae", "handoff"};
    private static final int MAX_KEYS = 300;
    private static final int MAX_BYTES = 30_000;

    @Test
    void limitsHoldUnderRandomWork() {
        SimulationSeeds.forEachSeed(50, seed -> new Run(seed).check());
    }

    private static final class Run {
        final Random random;
        final VirtualScheduler scheduler = new VirtualScheduler(0);
        final BudgetConfig config;
        final BackgroundBudget budget;
        final List<Integer> asked = new ArrayList<>();
        final List<Integer> granted = new ArrayList<>();
        final List<Boolean> gaveUp = new ArrayList<>();
        int open;
        int finished;
        long keysThrough;
        long bytesThrough;
        long keysSpent;
        final List<long[]> keyCompletions = new ArrayList<>();
        final List<long[]> byteCompletions = new ArrayList<>();

        Run(long seed) {
            random = new Random(seed);
            long keysRate = random.nextBoolean() ? BudgetConfig.UNLIMITED : 50 + random.nextInt(5_000);
            long bytesRate = random.nextBoolean() ? BudgetConfig.UNLIMITED : 5_000 + random.nextInt(500_000);
            config = new BudgetConfig(1 + random.nextInt(4), keysRate, bytesRate);
            budget = BackgroundBudget.of(config, scheduler.clock(), scheduler);
        }

        void check() {
            int units = 5 + random.nextInt(40);
            for (int i = 0; i < units; i++) {
                int id = i;
                // Spread out enough that the buckets sometimes sit idle and fill up.
                scheduler.schedule(() -> unit(id), random.nextInt(10_000), TimeUnit.MILLISECONDS);
            }
            assertThat(scheduler.runUntil(() -> finished == units, 3_600_000)).as("every unit finished").isTrue();
            // Slots are granted in the order asked, skipping only the waiters that gave up.
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < asked.size(); i++) {
                if (!gaveUp.get(i)) {
                    expected.add(asked.get(i));
                }
            }
            assertThat(granted).as("FIFO, %s", config).isEqualTo(expected);
            BudgetStats stats = budget.stats();
            assertThat(stats.inUse()).isZero();
            assertThat(stats.waiting()).isZero();
            assertThat(stats.keysSpent()).isEqualTo(keysSpent);
            checkWindows(keyCompletions, config.keysPerSecond(), MAX_KEYS);
            checkWindows(byteCompletions, config.bytesPerSecond(), MAX_BYTES);
        }

        /** Each entry is {time, amount}, in completion order. */
        void checkWindows(List<long[]> completions, long perSecond, long maxSpend) {
            if (perSecond == BudgetConfig.UNLIMITED) {
                return;
            }
            for (int i = 0; i < completions.size(); i++) {
                long sum = 0;
                for (int j = i; j < completions.size(); j++) {
                    sum += completions.get(j)[1];
                    double seconds = (completions.get(j)[0] - completions.get(i)[0]) / 1e9;
                    assertThat((double) sum).as("through from %d to %d ns, %s", completions.get(i)[0],
                            completions.get(j)[0], config).isLessThanOrEqualTo(perSecond * (seconds + 1) + maxSpend);
                }
            }
        }

        void unit(int id) {
            int index = asked.size();
            asked.add(id);
            gaveUp.add(false);
            CompletableFuture<BackgroundBudget.Permit> permit = budget.acquire(KINDS[random.nextInt(KINDS.length)]);
            if (!permit.isDone() && random.nextInt(5) == 0) {
                // Gives up after a while, unless the slot came first.
                scheduler.schedule(() -> {
                    if (permit.cancel(false)) {
                        gaveUp.set(index, true);
                        finished++;
                    }
                }, random.nextInt(500), TimeUnit.MILLISECONDS);
            }
            permit.thenAccept(p -> {
                granted.add(id);
                open++;
                assertThat(open).as("open permits, %s", config).isLessThanOrEqualTo(config.maxConcurrent());
                work(p, 1 + random.nextInt(4));
            });
        }

        void work(BackgroundBudget.Permit permit, int spendsLeft) {
            if (spendsLeft == 0 || random.nextInt(10) == 0) {
                // Done, or failed half way: either way the permit is closed, sometimes twice.
                permit.close();
                if (random.nextBoolean()) {
                    permit.close();
                }
                open--;
                finished++;
                return;
            }
            long keys = random.nextInt(MAX_KEYS);
            long bytes = random.nextInt(MAX_BYTES);
            keysSpent += keys;
            permit.spend(keys, bytes).thenRun(() -> {
                keysThrough += keys;
                bytesThrough += bytes;
                keyCompletions.add(new long[] {scheduler.clock().nanoTime(), keys});
                byteCompletions.add(new long[] {scheduler.clock().nanoTime(), bytes});
                checkRate(keysThrough, config.keysPerSecond());
                checkRate(bytesThrough, config.bytesPerSecond());
                scheduler.schedule(() -> work(permit, spendsLeft - 1), random.nextInt(200), TimeUnit.MILLISECONDS);
            });
        }

        void checkRate(long through, long perSecond) {
            if (perSecond == BudgetConfig.UNLIMITED) {
                return;
            }
            double allowed = perSecond * (scheduler.clock().nanoTime() / 1e9 + 1);
            assertThat((double) through).as("through by t=%d ns, %s", scheduler.clock().nanoTime(), config)
                    .isLessThanOrEqualTo(allowed);
        }
    }
}
