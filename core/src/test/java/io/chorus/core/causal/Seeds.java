package io.chorus.core.causal;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeds for the randomized law tests. A run's seeds derive from {@code -Dchorus.seed} when given (to replay a
 * failure, whose message prints its seed), else from a fixed base so CI is reproducible.
 */
final class Seeds {

    private static final long BASE = 0x5EED_C0DEL;

    private Seeds() {
    }

    /**
     * {@code count} seeds from the fixed base; the one seed {@code -Dchorus.seed=<n>} names (decimal, or hex with
     * {@code 0x}); or, with {@code -Dchorus.seed=random} (as for the simulation tests), {@code count} fresh ones.
     */
    static LongStream seeds(int count) {
        String fixed = System.getProperty("chorus.seed");
        if (fixed == null || fixed.isBlank()) {
            long base = Long.getLong("chorus.seedBase", BASE);
            return LongStream.range(0, count).map(i -> base + i * 0x9E3779B97F4A7C15L);
        }
        if (fixed.trim().equals("random")) {
            return new SplittableRandom().longs(count);
        }
        try {
            return LongStream.of(Long.decode(fixed.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dchorus.seed must be a number or 'random': " + fixed, e);
        }
    }
}
