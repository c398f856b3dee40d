package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.chorus.core.Scheduler.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The real timer wheel, on real time: deadlines fire no earlier than asked, cancelled ones never. */
class WheelSchedulerTest {

    private final WheelScheduler scheduler = new WheelScheduler("test");

    @AfterEach
    void close() {
        scheduler.close();
    }

    @Test
    void aTaskRunsNoEarlierThanItsDelayAndOffTheCallersThread() throws Exception {
        CompletableFuture<Long> ranAfter = new CompletableFuture<>();
        CompletableFuture<String> thread = new CompletableFuture<>();
        long start = System.nanoTime();
        scheduler.schedule(() -> {
            ranAfter.complete(System.nanoTime() - start);
            thread.complete(Thread.currentThread().getName());
        }, 30, TimeUnit.MILLISECONDS);
        assertThat(ranAfter.get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
        assertThat(thread.get()).isEqualTo("test-worker").isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aCancelledTaskNeverRunsWhileItsNeighboursDo() throws Exception {
        AtomicInteger cancelledRuns = new AtomicInteger();
        CountDownLatch others = new CountDownLatch(50);
        List<Cancellable> cancelled = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            cancelled.add(scheduler.schedule(cancelledRuns::incrementAndGet, 20, TimeUnit.MILLISECONDS));
            scheduler.schedule(others::countDown, 20, TimeUnit.MILLISECONDS);
        }
        for (Cancellable c : cancelled) {
            assertThat(c.cancel()).isTrue();
        }
        assertThat(others.await(5, TimeUnit.SECONDS)).isTrue();
        // The neighbours ran at the same tick, and the worker runs tasks in order: a cancelled task that was
        // going to run would have run before the last of them.
        CompletableFuture<Void> fence = new CompletableFuture<>();
        scheduler.execute(() -> fence.complete(null));
        fence.get(5, TimeUnit.SECONDS);
        assertThat(cancelledRuns).hasValue(0);
    }

    @Test
    void aFailingTaskIsLoggedWithItsExceptionAndLaterOnesStillRun() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(WheelScheduler.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        // Kept out of the console: the failure is expected here.
        logger.setAdditive(false);
        try {
            IllegalStateException boom = new IllegalStateException("expected by the test");
            scheduler.execute(() -> {
                throw boom;
            });
            CompletableFuture<Void> later = new CompletableFuture<>();
            scheduler.schedule(() -> later.complete(null), 1, TimeUnit.MILLISECONDS);
            later.get(5, TimeUnit.SECONDS);
            // The worker runs tasks in order, so the failure was handled before the later task ran.
            assertThat(logged.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getThrowableProxy().getMessage()).isEqualTo(boom.getMessage());
            });
        } finally {
            logger.setAdditive(true);
            logger.detachAppender(logged);
        }
    }

    @Test
    void aClosedSchedulerRefusesWork() {
        scheduler.close();
        assertThatThrownBy(() -> scheduler.schedule(() -> { }, 1, TimeUnit.MILLISECONDS))
                .isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> scheduler.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }
}
