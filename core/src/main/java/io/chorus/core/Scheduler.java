package io.chorus.core;

import java.util.concurrent.TimeUnit;

/**
 * Runs work now or later. Components that need timers or a thread of their own take a {@code Scheduler}, so the
 * testkit can run a whole cluster on one thread in virtual time. Production implementations are thread-safe; the testkit's virtual scheduler is confined to
 * its simulation thread and fails fast when called from another.
 */
public interface Scheduler {

    /** Runs {@code task} soon, on the scheduler's thread(s). */
    void execute(Runnable task);

    /** Runs {@code task} once after {@code delay}; the handle cancels it if it has not started. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Returns true if the task will now not run. */
        boolean cancel();
    }
}
