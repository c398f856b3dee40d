package io.chorus.coordinator;

/**
 * Active anti-entropy settings; every field has a production default ({@link #defaults()}). Immutable.
 *
 * @param enabled              whether the periodic exchanges run (REPAIR and the responder work regardless, and
 *                             REPAIR's syncs still lead to tombstone rounds when collection is on)
 * @param tickMillis           how often the agent looks for due work (1 s)
 * @param intervalMillis       how often each partition is synced with each other replica (60 s)
 * @param concurrency          syncs this node runs at once, within the background budget (1)
 * @param rebuildChunkKeys     keys a tree rebuild scans per step (1000)
 * @param messageTimeoutMillis how long one anti-entropy message waits for its reply (10 s)
 * @param collectTombstones    whether tombstones are collected once causally stable (true)
 * @param tombstoneGraceMillis how long a tombstone must stay stable on every replica between the two checks
 *                             that collect it; a guard against messages still in flight, on top of the causal rule,
 *                             never instead of it (10 min, the longest request timeout)
 * @param maxTombstonesPerRound tombstones checked per partition and collection round (1024)
 */
public record AntiEntropyConfig(boolean enabled, long tickMillis, long intervalMillis, int concurrency,
        int rebuildChunkKeys, long messageTimeoutMillis, boolean collectTombstones, long tombstoneGraceMillis,
        int maxTombstonesPerRound) {

    private static final AntiEntropyConfig DEFAULTS = new AntiEntropyConfig(true, 1_000, 60_000, 1, 1_000, 10_000,
            true, QuorumOptions.MAX_TIMEOUT_MILLIS, 1024);

    public AntiEntropyConfig {
        positive("tickMillis", tickMillis);
        positive("intervalMillis", intervalMillis);
        positive("concurrency", concurrency);
        positive("rebuildChunkKeys", rebuildChunkKeys);
        positive("messageTimeoutMillis", messageTimeoutMillis);
        positive("maxTombstonesPerRound", maxTombstonesPerRound);
        if (tombstoneGraceMillis < 0) {
            throw new IllegalArgumentException("tombstoneGraceMillis must be >= 0, got " + tombstoneGraceMillis);
        }
        if (maxTombstonesPerRound > PartitionSync.MAX_KEYS) {
            throw new IllegalArgumentException("maxTombstonesPerRound must be <= " + PartitionSync.MAX_KEYS);
        }
    }

    public static AntiEntropyConfig defaults() {
        return DEFAULTS;
    }

    /** The defaults with the exchanges off: the responder and REPAIR only. */
    public static AntiEntropyConfig disabled() {
        return DEFAULTS.withEnabled(false);
    }

    public AntiEntropyConfig withEnabled(boolean on) {
        return new AntiEntropyConfig(on, tickMillis, intervalMillis, concurrency, rebuildChunkKeys,
                messageTimeoutMillis, collectTombstones, tombstoneGraceMillis, maxTombstonesPerRound);
    }

    public AntiEntropyConfig withSchedule(long tick, long interval, int syncsAtOnce) {
        return new AntiEntropyConfig(enabled, tick, interval, syncsAtOnce, rebuildChunkKeys, messageTimeoutMillis,
                collectTombstones, tombstoneGraceMillis, maxTombstonesPerRound);
    }

    public AntiEntropyConfig withTombstones(boolean collect, long graceMillis) {
        return new AntiEntropyConfig(enabled, tickMillis, intervalMillis, concurrency, rebuildChunkKeys,
                messageTimeoutMillis, collect, graceMillis, maxTombstonesPerRound);
    }

    public AntiEntropyConfig withRebuildChunk(int keys) {
        return new AntiEntropyConfig(enabled, tickMillis, intervalMillis, concurrency, keys, messageTimeoutMillis,
                collectTombstones, tombstoneGraceMillis, maxTombstonesPerRound);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
