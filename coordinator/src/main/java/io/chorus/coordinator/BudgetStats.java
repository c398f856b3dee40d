package io.chorus.coordinator;

import java.util.Map;

/**
 * A snapshot of a {@link BackgroundBudget}: totals since it was made, and what holds or waits for its slots now.
 *
 * @param maxConcurrent  the budget's slots
 * @param inUse          permits granted and not closed (a permit on its way to a waiter counts)
 * @param waiting        acquires queued for a slot
 * @param keysSpent      keys spent on the rate
 * @param bytesSpent     bytes spent on the rate
 * @param throttled      spends that had to wait for tokens
 * @param throttledNanos the time those spends waited, in all
 * @param kinds          the same per kind of work ("hints", "aae", ...)
 */
public record BudgetStats(int maxConcurrent, int inUse, int waiting, long keysSpent, long bytesSpent,
        long throttled, long throttledNanos, Map<String, Kind> kinds) {

    public BudgetStats {
        kinds = Map.copyOf(kinds);
    }

    /**
     * @param granted permits granted for this kind
     * @param inUse   of which not closed yet
     * @param keys    keys spent by its permits
     * @param bytes   bytes spent by its permits
     */
    public record Kind(long granted, int inUse, long keys, long bytes) {
    }
}
