package io.chorus.coordinator;

/**
 * Settings of partition handoff ({@link Handoff}). Immutable.
 *
 * @param tickMillis        how often the agent looks for work (1 s)
 * @param quietMillis       how long after every live member has seen a commit the transfers wait, so that writes
 *                          acknowledged under the old ring alone (coordinators that had not seen it) have ended;
 *                          above the request timeout (5 s)
 * @param concurrency       partitions synced at once (each within the background budget) (2)
 * @param strayCheckMillis  how often a settled node looks for partitions it holds but is no replica of, to hand
 *                          them to their replicas and drop them (60 s)
 */
public record HandoffConfig(long tickMillis, long quietMillis, int concurrency, long strayCheckMillis) {

    public HandoffConfig {
        if (tickMillis < 1 || quietMillis < 0 || concurrency < 1 || strayCheckMillis < 1) {
            throw new IllegalArgumentException("handoff: tick and stray check must be >= 1 ms, quiet >= 0, "
                    + "concurrency >= 1; got " + tickMillis + ", " + strayCheckMillis + ", " + quietMillis + ", "
                    + concurrency);
        }
    }

    public static HandoffConfig defaults() {
        return new HandoffConfig(1_000, 5_000, 2, 60_000);
    }
}
