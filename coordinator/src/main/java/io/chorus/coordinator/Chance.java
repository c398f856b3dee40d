package io.chorus.coordinator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Seeded coin flips for decisions taken "with probability p" (background read repair): a SplitMix64 sequence on an
 * atomic counter, so it is lock-free across transport threads and, from a given seed, the same flips in the
 * same order (the simulation seeds it from the virtual clock, so a run stays a function of its seed).
 *
 * <p>Thread-safety: thread-safe.
 */
final class Chance {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final AtomicLong state;

    Chance(long seed) {
        this.state = new AtomicLong(seed);
    }

    /** True with probability {@code p}; 0 is never and 1 always, drawing nothing. */
    boolean flip(double p) {
        if (p <= 0) {
            return false;
        }
        if (p >= 1) {
            return true;
        }
        return nextDouble() < p;
    }

    double nextDouble() {
        long z = state.addAndGet(GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
