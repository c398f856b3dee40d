package io.chorus.gossip;

import io.chorus.core.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node's view of the simulation's scheduler that can be stopped, as a GC pause or a suspended VM stops a
 * process: while paused, nothing of the node runs, neither its timers nor the tasks its transport hands it (every
 * message it receives and every reply to its own requests hops onto this scheduler), and they wait; the virtual
 * clock, shared with the rest of the cluster, keeps going, as wall time does. On resume the waiting tasks run, the
 * hand-offs before the timers: the order a resumed JVM runs its threads in is arbitrary, and this is the worst one
 * for the failure detector (messages that waited through the pause, handled before the round's tick). Confined to
 * the simulation thread.
 */
final class PausableScheduler implements Scheduler {

    private final Scheduler inner;
    private final List<Runnable> heldTasks = new ArrayList<>();
    private final List<Timer> heldTimers = new ArrayList<>();
    private boolean paused;

    PausableScheduler(Scheduler inner) {
        this.inner = inner;
    }

    @Override
    public void execute(Runnable task) {
        inner.execute(() -> {
            if (paused) {
                heldTasks.add(task);
            } else {
                task.run();
            }
        });
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Timer timer = new Timer(task);
        Cancellable scheduled = inner.schedule(() -> {
            if (timer.cancelled) {
                return;
            }
            if (paused) {
                heldTimers.add(timer);
            } else {
                task.run();
            }
        }, delay, unit);
        return () -> {
            boolean wasPending = !timer.cancelled;
            timer.cancelled = true;
            return scheduled.cancel() || wasPending && heldTimers.remove(timer);
        };
    }

    void pause() {
        paused = true;
    }

    /** Ends the pause: what waited runs soon, hand-offs first. Returns how many tasks waited. */
    int resume() {
        paused = false;
        int waited = heldTasks.size() + heldTimers.size();
        for (Runnable task : heldTasks) {
            inner.execute(task);
        }
        for (Timer timer : heldTimers) {
            inner.execute(() -> {
                if (!timer.cancelled) {
                    timer.task.run();
                }
            });
        }
        heldTasks.clear();
        heldTimers.clear();
        return waited;
    }

    private static final class Timer {
        final Runnable task;
        boolean cancelled;

        Timer(Runnable task) {
            this.task = task;
        }
    }
}
