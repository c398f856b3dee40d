package io.chorus.coordinator;

/**
 * The size of a node's {@link BackgroundBudget}, which hint replay, anti-entropy and handoff share. Immutable;
 * change with the {@code with*} methods.
 *
 * @param maxConcurrent  units of background work (a batch of hints in flight, an anti-entropy exchange) running at
 *                       once, 1..{@value #MAX_CONCURRENT} (2). There is deliberately no "unlimited": a bound on
 *                       what runs at once is the point of the budget
 * @param keysPerSecond  keys background work may move per second, with a burst of one second's worth (20 000);
 *                       {@link #UNLIMITED} for no limit
 * @param bytesPerSecond bytes background work may move per second, with a burst of one second's worth (32 MiB);
 *                       {@link #UNLIMITED} for no limit
 */
public record BudgetConfig(int maxConcurrent, long keysPerSecond, long bytesPerSecond) {

    /** A rate that never makes anyone wait. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** More slots than this would be no bound at all. */
    public static final int MAX_CONCURRENT = 1024;

    private static final BudgetConfig DEFAULTS = new BudgetConfig(2, 20_000, 32L << 20);

    public BudgetConfig {
        if (maxConcurrent < 1 || maxConcurrent > MAX_CONCURRENT) {
            throw new IllegalArgumentException("maxConcurrent must be in 1.." + MAX_CONCURRENT + ", got "
                    + maxConcurrent);
        }
        if (keysPerSecond < 1 || bytesPerSecond < 1) {
            throw new IllegalArgumentException("rates must be >= 1 per second (UNLIMITED for none), got "
                    + keysPerSecond + " keys/s and " + bytesPerSecond + " bytes/s");
        }
    }

    public static BudgetConfig defaults() {
        return DEFAULTS;
    }

    public BudgetConfig withMaxConcurrent(int max) {
        return new BudgetConfig(max, keysPerSecond, bytesPerSecond);
    }

    public BudgetConfig withRates(long keys, long bytes) {
        return new BudgetConfig(maxConcurrent, keys, bytes);
    }
}
