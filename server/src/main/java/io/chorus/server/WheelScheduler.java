package io.chorus.server;

import io.chorus.core.Scheduler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's production {@link Scheduler}: request deadlines on Netty's {@link HashedWheelTimer}, background work on
 * one daemon thread.
 *
 * <p>Why a wheel: every request arms a deadline and almost always cancels it within a millisecond. On a
 * {@code ScheduledThreadPoolExecutor} both are a lock on one heap, and a new earliest deadline wakes the timer
 * thread, so under load the request threads contend for that lock and pay futex wake-ups for timers that never
 * fire (about a tenth of the CPU of a put in the cluster benchmark). The wheel takes new and cancelled timeouts
 * through lock-free queues and looks at them once per tick, so arming and cancelling cost a queue insert. The price
 * is precision: a deadline fires up to one tick late, which a timeout of milliseconds to seconds does not notice.
 *
 * <p>Expired timeouts hand their task to the background thread, so a slow task (a hint replay round scanning the
 * store) never delays other deadlines. Thread-safe; {@link #close()} stops both threads, dropping what is pending.
 */
final class WheelScheduler implements Scheduler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WheelScheduler.class);
    /** Deadline precision; requests time out in tens of milliseconds at the least. */
    private static final long TICK_MILLIS = 5;

    private final HashedWheelTimer wheel;
    private final ExecutorService worker;

    WheelScheduler(String name) {
        this.wheel = new HashedWheelTimer(r -> daemon(r, name + "-wheel"), TICK_MILLIS, TimeUnit.MILLISECONDS, 512);
        this.worker = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-worker"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void execute(Runnable task) {
        worker.execute(() -> runLogged(task));
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Timeout timeout;
        try {
            timeout = wheel.newTimeout(t -> {
                try {
                    execute(task);
                } catch (RejectedExecutionException closed) {
                    // Closed meanwhile: pending work is dropped, as documented.
                }
            }, delay, unit);
        } catch (IllegalStateException stopped) {
            throw new RejectedExecutionException("scheduler is closed", stopped);
        }
        return timeout::cancel;
    }

    private static void runLogged(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("scheduled task failed", e);
        }
    }

    @Override
    public void close() {
        wheel.stop();
        worker.shutdownNow();
    }
}
