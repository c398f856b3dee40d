package io.chorus.testkit;

import io.chorus.core.Scheduler;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A deterministic event queue in virtual time: tasks run in order of (due time, submission order), and only when
 * the test says so ({@link #runNext()}, {@link #runUntilIdle()}, {@link #advance(long)}, {@link #runFor},
 * {@link #runUntil}). Running a task first moves the {@linkplain #clock() clock} to its due time. {@code execute}
 * queues at the current time, behind everything already due then, so "soon" never jumps the queue.
 *
 * <p>A task that throws propagates out of the {@code run*} call that ran it: in a simulation a thrown exception is
 * a bug to see, not to log. The task has been dequeued, so the test may catch and continue.
 *
 * <p>Two guards turn hangs into failures: {@link #runUntilIdle(int)} stops after a step bound (a periodic timer
 * never lets the queue drain; use {@code advance} then), and every run method fails when more than
 * {@link #SAME_INSTANT_LIMIT} tasks run without virtual time moving (a zero-delay livelock).
 *
 * <p>Thread-safety: <b>confined to the thread that created it</b> (the simulation thread), unlike production
 * schedulers, which {@link Scheduler} requires to be thread-safe. One thread is what makes a run reproducible: work
 * that escapes to another thread and comes back would race with the simulation. So every method fails fast with
 * {@link IllegalStateException} on another thread, and the first such call also poisons the scheduler, so the next
 * {@code run*} call on the simulation thread fails too, even if the stray thread swallowed its exception (as a
 * {@code CompletableFuture} callback does).
 */
public final class VirtualScheduler implements Scheduler {

    /** The default step bound of {@link #runUntilIdle()}. */
    public static final int DEFAULT_MAX_STEPS = 1_000_000;

    /** More tasks than this at one virtual instant is taken as a livelock. */
    public static final int SAME_INSTANT_LIMIT = 100_000;

    private static final Comparator<Task> ORDER =
            Comparator.comparingLong((Task t) -> t.dueNanos).thenComparingLong(t -> t.sequence);

    private final VirtualClock clock;
    private final Thread owner;
    private final PriorityQueue<Task> queue = new PriorityQueue<>(ORDER);
    private long nextSequence;
    private int liveTasks;
    private long tasksRun;
    private boolean running;
    private long lastRunNanos = -1;
    private int sameInstantRuns;
    private volatile IllegalStateException poison;

    /** A scheduler at virtual time zero, wall clock at {@link VirtualClock#DEFAULT_START_EPOCH_MILLIS}. */
    public VirtualScheduler() {
        this(VirtualClock.DEFAULT_START_EPOCH_MILLIS);
    }

    /** A scheduler owned by the calling thread, with a fresh clock starting at {@code startEpochMillis}. */
    public VirtualScheduler(long startEpochMillis) {
        this.clock = new VirtualClock(startEpochMillis);
        this.owner = Thread.currentThread();
    }

    /** The clock this scheduler moves. */
    public VirtualClock clock() {
        return clock;
    }

    @Override
    public void execute(Runnable task) {
        enqueue(task, 0);
    }

    /** A negative delay counts as zero, as in {@link java.util.concurrent.ScheduledExecutorService}. */
    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        return enqueue(task, Math.max(0, unit.toNanos(delay)));
    }

    /** Runs the earliest pending task, moving the clock to its due time; false if nothing was pending. */
    public boolean runNext() {
        checkRunnable();
        Task next = pollLive();
        if (next == null) {
            return false;
        }
        run(next);
        return true;
    }

    /** {@link #runUntilIdle(int)} with {@link #DEFAULT_MAX_STEPS}. */
    public int runUntilIdle() {
        return runUntilIdle(DEFAULT_MAX_STEPS);
    }

    /**
     * Runs tasks until none is pending and returns how many ran. Throws {@link IllegalStateException} once more
     * than {@code maxSteps} tasks ran: the queue is not draining (a periodic timer, a retry loop).
     */
    public int runUntilIdle(int maxSteps) {
        checkRunnable();
        int steps = 0;
        for (Task next = pollLive(); next != null; next = pollLive()) {
            if (steps == maxSteps) {
                // Put it back: the test may want to inspect or keep going with a time bound instead.
                queue.add(next);
                liveTasks++;
                throw new IllegalStateException("not idle after " + maxSteps + " tasks at t=" + now()
                        + " ms: a periodic or self-rescheduling task? Use advance(millis) to run for a while");
            }
            run(next);
            steps++;
        }
        return steps;
    }

    /** Runs every task due within the next {@code millis}, then sets the clock to exactly that time. */
    public int advance(long millis) {
        return runFor(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs every task due at or before now + {@code amount} (including tasks those tasks schedule inside the
     * window), in order, then sets the clock to that instant; returns how many ran.
     */
    public int runFor(long amount, TimeUnit unit) {
        if (amount < 0) {
            throw new IllegalArgumentException("cannot run for a negative time: " + amount);
        }
        checkRunnable();
        long target = Math.addExact(clock.nanoTime(), unit.toNanos(amount));
        int steps = 0;
        for (Task next = pollLiveDueBy(target); next != null; next = pollLiveDueBy(target)) {
            run(next);
            steps++;
        }
        clock.advanceTo(target);
        return steps;
    }

    /**
     * Runs tasks until {@code condition} holds (checked before the first task and after each) or the next task
     * is due later than {@code withinMillis} from now. Returns whether the condition held; when it did not, the
     * clock ends at the deadline, as after {@link #advance(long)}.
     */
    public boolean runUntil(BooleanSupplier condition, long withinMillis) {
        if (withinMillis < 0) {
            throw new IllegalArgumentException("the time bound must not be negative: " + withinMillis);
        }
        checkRunnable();
        long deadline = Math.addExact(clock.nanoTime(), TimeUnit.MILLISECONDS.toNanos(withinMillis));
        while (!condition.getAsBoolean()) {
            Task next = pollLiveDueBy(deadline);
            if (next == null) {
                clock.advanceTo(deadline);
                return condition.getAsBoolean();
            }
            run(next);
        }
        return true;
    }

    /** How many tasks are queued and not cancelled. */
    public int pendingTasks() {
        checkThread();
        return liveTasks;
    }

    /** How many tasks have run since the scheduler was made. */
    public long tasksRun() {
        checkThread();
        return tasksRun;
    }

    /**
     * Fails unless called on the simulation thread; the network and other testkit parts call this before touching
     * shared simulation state (the random source above all, whose draw order is the run).
     */
    void checkThread() {
        if (Thread.currentThread() != owner) {
            IllegalStateException violation = new IllegalStateException("the simulation is confined to thread '"
                    + owner.getName() + "' but was called from '" + Thread.currentThread().getName()
                    + "': work escaped to another thread, so the run would not be reproducible");
            if (poison == null) {
                poison = violation;
            }
            throw violation;
        }
    }

    private Cancellable enqueue(Runnable task, long delayNanos) {
        Objects.requireNonNull(task, "task");
        checkThread();
        // Saturate instead of overflowing: a "never" timeout of Long.MAX_VALUE must not wrap into the past.
        long due = delayNanos > Long.MAX_VALUE - clock.nanoTime() ? Long.MAX_VALUE : clock.nanoTime() + delayNanos;
        Task t = new Task(task, due, nextSequence++);
        queue.add(t);
        liveTasks++;
        return t;
    }

    private void checkRunnable() {
        checkThread();
        IllegalStateException p = poison;
        if (p != null) {
            throw new IllegalStateException("the simulation was touched from another thread earlier", p);
        }
        if (running) {
            throw new IllegalStateException("a task tried to run the scheduler from inside a task");
        }
    }

    /** Cancelled tasks stay queued until they reach the head (cancel is O(1)); skip them here. */
    private Task pollLive() {
        Task head = queue.poll();
        while (head != null && head.state != TaskState.PENDING) {
            head = queue.poll();
        }
        if (head != null) {
            liveTasks--;
        }
        return head;
    }

    private Task pollLiveDueBy(long deadlineNanos) {
        Task head = queue.peek();
        while (head != null && head.state != TaskState.PENDING) {
            queue.poll();
            head = queue.peek();
        }
        return head != null && head.dueNanos <= deadlineNanos ? pollLive() : null;
    }

    private void run(Task task) {
        if (task.dueNanos == lastRunNanos) {
            if (++sameInstantRuns > SAME_INSTANT_LIMIT) {
                throw new IllegalStateException("livelock: more than " + SAME_INSTANT_LIMIT
                        + " tasks ran at t=" + TimeFormat.millis(task.dueNanos) + " ms without time moving");
            }
        } else {
            lastRunNanos = task.dueNanos;
            sameInstantRuns = 1;
        }
        clock.advanceTo(Math.max(clock.nanoTime(), task.dueNanos));
        task.state = TaskState.RAN;
        tasksRun++;
        running = true;
        try {
            task.body.run();
        } finally {
            running = false;
        }
    }

    private String now() {
        return TimeFormat.millis(clock.nanoTime());
    }

    private enum TaskState { PENDING, CANCELLED, RAN }

    /** A queued task; it is its own cancellation handle. Touched only on the simulation thread. */
    private final class Task implements Cancellable {
        final Runnable body;
        final long dueNanos;
        final long sequence;
        TaskState state = TaskState.PENDING;

        Task(Runnable body, long dueNanos, long sequence) {
            this.body = body;
            this.dueNanos = dueNanos;
            this.sequence = sequence;
        }

        @Override
        public boolean cancel() {
            checkThread();
            if (state == TaskState.PENDING) {
                state = TaskState.CANCELLED;
                liveTasks--;
            }
            return state == TaskState.CANCELLED;
        }
    }

    @Override
    public String toString() {
        return "VirtualScheduler[t=" + TimeFormat.millis(clock.nanoTime()) + " ms, pending=" + liveTasks + "]";
    }
}
