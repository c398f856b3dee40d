package io.chorus.core;

/**
 * The one seam through which Chorus reads time. Algorithms take a {@code Clock} (or are handed the time as an
 * argument); production passes {@link #system()}, tests pass the testkit's virtual clock, so a whole cluster run
 * is reproducible. Production implementations are thread-safe; the testkit's virtual clock is advanced only by
 * its simulation thread.
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
