package io.chorus.testkit;

import io.chorus.core.Clock;

/**
 * A {@link Clock} whose time moves only when its {@link VirtualScheduler} runs the simulation forward: to the due
 * time of the task it runs next, or to the end of an {@code advance}. Nothing else can move it, so code under test
 * sees exactly the time the simulation chose and a run is reproducible.
 *
 * <p>{@link #nanoTime()} counts from 0 at the simulation's start; {@link #currentTimeMillis()} is a fixed start
 * epoch plus the elapsed time, so wall-clock timestamps are reproducible too.
 *
 * <p>Thread-safety: reads are safe from any thread (the time is a volatile field), as {@link Clock} promises;
 * only the owning scheduler advances it, on the simulation thread.
 */
public final class VirtualClock implements Clock {

    /** 2023-11-14T22:13:20Z: a fixed, recent, round instant, so timestamps in traces are stable and plausible. */
    public static final long DEFAULT_START_EPOCH_MILLIS = 1_700_000_000_000L;

    private final long startEpochMillis;
    private volatile long elapsedNanos;

    VirtualClock(long startEpochMillis) {
        if (startEpochMillis < 0) {
            throw new IllegalArgumentException("start epoch must not be negative: " + startEpochMillis);
        }
        this.startEpochMillis = startEpochMillis;
    }

    @Override
    public long nanoTime() {
        return elapsedNanos;
    }

    @Override
    public long currentTimeMillis() {
        return startEpochMillis + elapsedNanos / 1_000_000;
    }

    /** Virtual milliseconds since the simulation started (truncated). */
    public long elapsedMillis() {
        return elapsedNanos / 1_000_000;
    }

    /** The wall-clock time at which the simulation started. */
    public long startEpochMillis() {
        return startEpochMillis;
    }

    /** Only the scheduler calls this; time never goes backwards, which would break every interval measurement. */
    void advanceTo(long nanos) {
        if (nanos < elapsedNanos) {
            throw new IllegalStateException("virtual time cannot go backwards: " + elapsedNanos + " -> " + nanos);
        }
        elapsedNanos = nanos;
    }

    @Override
    public String toString() {
        return "VirtualClock[" + TimeFormat.millis(elapsedNanos) + " ms]";
    }
}
