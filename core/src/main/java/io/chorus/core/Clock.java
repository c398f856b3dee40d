package io.chorus.core;

/**
 * The one seam through which Chorus reads time. Algorithms take a {@code Clock} (or are handed the time as an
 * argument); production passes {@link #system()}, tests pass the testkit's virtual clock, so a whole cluster run
 * is reproducible. Implementations are thread-safe.
 */
public interface Clock {

    /** Monotonic nanoseconds for measuring intervals; the origin is arbitrary. */
    long nanoTime();

    /** Wall-clock milliseconds since the Unix epoch, for timestamps that must survive a restart. */
    long currentTimeMillis();

    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
