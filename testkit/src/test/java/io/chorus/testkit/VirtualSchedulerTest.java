package io.chorus.testkit;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.Scheduler.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<String> ran = new ArrayList<>();

    @Test
    void runsTasksByDueTimeThenBySubmissionOrder() {
        scheduler.schedule(() -> ran.add("c@30"), 30, MILLISECONDS);
        scheduler.schedule(() -> ran.add("a@10"), 10, MILLISECONDS);
        scheduler.execute(() -> ran.add("now1"));
        scheduler.schedule(() -> ran.add("b@10"), 10_000, MICROSECONDS);
        scheduler.schedule(() -> ran.add("z@20"), 20, MILLISECONDS);
        scheduler.execute(() -> ran.add("now2"));

        assertThat(scheduler.runUntilIdle()).isEqualTo(6);

        assertThat(ran).containsExactly("now1", "now2", "a@10", "b@10", "z@20", "c@30");
    }

    @Test
    void executeFromATaskQueuesBehindWhatIsAlreadyDueThen() {
        scheduler.schedule(() -> {
            ran.add("a");
            scheduler.execute(() -> ran.add("c, executed by a"));
        }, 10, MILLISECONDS);
        scheduler.schedule(() -> ran.add("b"), 10, MILLISECONDS);

        scheduler.runUntilIdle();

        assertThat(ran).containsExactly("a", "b", "c, executed by a");
    }

    @Test
    void theClockMovesToEachTasksDueTimeAndWallTimeFollows() {
        List<Long> seen = new ArrayList<>();
        VirtualClock clock = scheduler.clock();
        scheduler.schedule(() -> seen.add(clock.nanoTime()), 7, MILLISECONDS);
        scheduler.schedule(() -> seen.add(clock.nanoTime()), 1500, MICROSECONDS);

        scheduler.runUntilIdle();

        assertThat(seen).containsExactly(1_500_000L, 7_000_000L);
        assertThat(clock.currentTimeMillis()).isEqualTo(VirtualClock.DEFAULT_START_EPOCH_MILLIS + 7);
    }

    @Test
    void aCancelledTaskNeverRunsAndDoesNotMoveTheClock() {
        Cancellable late = scheduler.schedule(() -> ran.add("late"), 50, MILLISECONDS);
        scheduler.schedule(() -> ran.add("early"), 10, MILLISECONDS);

        assertThat(late.cancel()).isTrue();
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        scheduler.runUntilIdle();

        assertThat(ran).containsExactly("early");
        assertThat(scheduler.clock().elapsedMillis()).isEqualTo(10);
        assertThat(late.cancel()).as("still not going to run").isTrue();
    }

    @Test
    void cancellingATaskThatRanReturnsFalse() {
        Cancellable task = scheduler.schedule(() -> ran.add("ran"), 1, MILLISECONDS);
        scheduler.runUntilIdle();

        assertThat(task.cancel()).isFalse();
    }

    @Test
    void aTaskCanCancelALaterOneDueAtTheSameTime() {
        AtomicReference<Cancellable> second = new AtomicReference<>();
        scheduler.schedule(() -> second.get().cancel(), 5, MILLISECONDS);
        second.set(scheduler.schedule(() -> ran.add("second"), 5, MILLISECONDS));

        assertThat(scheduler.runUntilIdle()).isEqualTo(1);
        assertThat(ran).isEmpty();
    }

    @Test
    void advanceRunsExactlyTheTasksDueInTheWindowIncludingOnesScheduledInIt() {
        scheduler.schedule(() -> {
            ran.add("10");
            scheduler.schedule(() -> ran.add("15, scheduled at 10"), 5, MILLISECONDS);
            scheduler.schedule(() -> ran.add("30, scheduled at 10"), 20, MILLISECONDS);
        }, 10, MILLISECONDS);
        scheduler.schedule(() -> ran.add("20, on the boundary"), 20, MILLISECONDS);
        scheduler.schedule(() -> ran.add("20.001"), 20_001, MICROSECONDS);

        assertThat(scheduler.advance(20)).isEqualTo(3);

        assertThat(ran).containsExactly("10", "15, scheduled at 10", "20, on the boundary");
        assertThat(scheduler.clock().nanoTime()).isEqualTo(20_000_000L);
        assertThat(scheduler.pendingTasks()).isEqualTo(2);
    }

    @Test
    void advanceMovesTheClockEvenWhenNothingIsDue() {
        scheduler.schedule(() -> ran.add("later"), 100, MILLISECONDS);

        assertThat(scheduler.advance(40)).isZero();
        assertThat(scheduler.advance(40)).isZero();

        assertThat(scheduler.clock().elapsedMillis()).isEqualTo(80);
        assertThat(ran).isEmpty();
    }

    @Test
    void runUntilStopsAsSoonAsTheConditionHolds() {
        for (int i = 1; i <= 5; i++) {
            String name = "t" + i;
            scheduler.schedule(() -> ran.add(name), i * 10L, MILLISECONDS);
        }

        assertThat(scheduler.runUntil(() -> ran.size() == 3, 1_000)).isTrue();

        assertThat(ran).containsExactly("t1", "t2", "t3");
        assertThat(scheduler.clock().elapsedMillis()).isEqualTo(30);
    }

    @Test
    void runUntilGivesUpAtTheDeadlineWithoutRunningLaterTasks() {
        scheduler.schedule(() -> ran.add("t50"), 50, MILLISECONDS);
        scheduler.schedule(() -> ran.add("t150"), 150, MILLISECONDS);

        assertThat(scheduler.runUntil(() -> ran.contains("t150"), 100)).isFalse();

        assertThat(ran).containsExactly("t50");
        assertThat(scheduler.clock().elapsedMillis()).isEqualTo(100);
    }

    @Test
    void runUntilIdleFailsLoudlyOnATaskThatNeverStopsRescheduling() {
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> scheduler.schedule(tick[0], 1, MILLISECONDS);
        scheduler.execute(tick[0]);

        assertThatThrownBy(() -> scheduler.runUntilIdle(1_000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not idle after 1000 tasks");
        assertThat(scheduler.pendingTasks()).as("the periodic task is still there").isEqualTo(1);
    }

    @Test
    void aZeroDelayLivelockFailsInsteadOfHanging() {
        Runnable[] spin = new Runnable[1];
        spin[0] = () -> scheduler.execute(spin[0]);
        scheduler.execute(spin[0]);

        assertThatThrownBy(() -> scheduler.advance(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("livelock");
    }

    @Test
    void aThrowingTaskPropagatesAndTheQueueCarriesOn() {
        scheduler.execute(() -> {
            throw new IllegalArgumentException("boom");
        });
        scheduler.execute(() -> ran.add("after"));

        assertThatThrownBy(scheduler::runNext).hasMessage("boom");
        assertThat(scheduler.runNext()).isTrue();
        assertThat(ran).containsExactly("after");
        assertThat(scheduler.runNext()).isFalse();
    }

    @Test
    void aNegativeDelayMeansNow() {
        scheduler.schedule(() -> ran.add("b"), 1, MILLISECONDS);
        scheduler.schedule(() -> ran.add("a"), -5, MILLISECONDS);

        scheduler.runUntilIdle();

        assertThat(ran).containsExactly("a", "b");
    }

    @Test
    void aTaskMayNotRunTheScheduler() {
        scheduler.execute(scheduler::runUntilIdle);

        assertThatThrownBy(scheduler::runNext).hasMessageContaining("from inside a task");
    }

    @Test
    void anotherThreadFailsFastAndPoisonsTheScheduler() throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread stray = new Thread(() -> {
            try {
                scheduler.execute(() -> ran.add("from another thread"));
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "stray");
        stray.start();
        stray.join();

        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("'stray'");
        assertThatThrownBy(scheduler::runUntilIdle)
                .as("a swallowed violation still fails the run")
                .hasMessageContaining("another thread");
        assertThat(ran).isEmpty();
    }
}
