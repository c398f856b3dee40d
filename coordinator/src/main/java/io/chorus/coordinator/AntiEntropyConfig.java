package io.chorus.coordinator;

import java.util.function.Consumer;

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
        return with(b -> b.enabled = on);
    }

    public AntiEntropyConfig withSchedule(long tick, long interval, int syncsAtOnce) {
        return with(b -> {
            b.tickMillis = tick;
            b.intervalMillis = interval;
            b.concurrency = syncsAtOnce;
        });
    }

    public AntiEntropyConfig withTombstones(boolean collect, long graceMillis) {
        return with(b -> {
            b.collectTombstones = collect;
            b.tombstoneGraceMillis = graceMillis;
        });
    }

    public AntiEntropyConfig withRebuildChunk(int keys) {
        return with(b -> b.rebuildChunkKeys = keys);
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private AntiEntropyConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private boolean enabled;
        private long tickMillis;
        private long intervalMillis;
        private int concurrency;
        private int rebuildChunkKeys;
        private long messageTimeoutMillis;
        private boolean collectTombstones;
        private long tombstoneGraceMillis;
        private int maxTombstonesPerRound;

        private Builder(AntiEntropyConfig c) {
            enabled = c.enabled;
            tickMillis = c.tickMillis;
            intervalMillis = c.intervalMillis;
            concurrency = c.concurrency;
            rebuildChunkKeys = c.rebuildChunkKeys;
            messageTimeoutMillis = c.messageTimeoutMillis;
            collectTombstones = c.collectTombstones;
            tombstoneGraceMillis = c.tombstoneGraceMillis;
            maxTombstonesPerRound = c.maxTombstonesPerRound;
        }

        private AntiEntropyConfig build() {
            return new AntiEntropyConfig(enabled, tickMillis, intervalMillis, concurrency, rebuildChunkKeys,
                    messageTimeoutMillis, collectTombstones, tombstoneGraceMillis, maxTombstonesPerRound);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
