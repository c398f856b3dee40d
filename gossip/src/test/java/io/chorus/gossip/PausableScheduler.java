package io.chorus.gossip;

import io.chorus.core.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node's view of the simulation's scheduler that can be stopped, as a GC pause or a suspended VM stops a
 * process: while paused, nothing of the node runs, neither its timers nor the tasks its transport hands it (every
 * message it receives and every reply to its own requests hops onto this scheduler), and they wait; the virtual
 * clock, shared with the rest of the cluster, keeps going, as wall time does. On resume the waiting tasks run in the
 * order the test asks for, since a resumed JVM runs its threads in any order: the round's timer first (it judges
 * every peer after a silence as long as the pause), or the hand-offs first (their heartbeats reach a detector that
 * has not ticked since the pause). Confined to the simulation thread.
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

    /** Ends the pause: what waited runs soon, hand-offs or timers first. Returns how many tasks waited. */
    int resume(boolean handOffsFirst) {
        paused = false;
        int waited = heldTasks.size() + heldTimers.size();
        if (handOffsFirst) {
            releaseHandOffs();
        }
        for (Timer timer : heldTimers) {
            inner.execute(() -> {
                if (!timer.cancelled) {
                    timer.task.run();
                }
            });
        }
        heldTimers.clear();
        releaseHandOffs();
        return waited;
    }

    private void releaseHandOffs() {
        heldTasks.forEach(inner::execute);
        heldTasks.clear();
    }

    private static final class Timer {
        final Runnable task;
        boolean cancelled;

        Timer(Runnable task) {
            this.task = task;
        }
    }
}
