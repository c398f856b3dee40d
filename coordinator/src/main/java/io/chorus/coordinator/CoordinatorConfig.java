package io.chorus.coordinator;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * A node's coordinator settings; every field has a production default ({@link #defaults()}). Immutable; change
 * with the {@code with*} methods.
 *
 * @param n                        default replica count N (3)
 * @param r                        default read quorum R (2)
 * @param w                        default write quorum W (2)
 * @param requestTimeoutMillis     default time a client request may take (2000)
 * @param replicaTimeoutMillis     how long one replica request waits before a write tries a fallback node, and
 *                                 before a read without a quorum asks every replica it has not asked; capped by what
 *                                 is left of the request's time (500)
 * @param readRepairGraceMillis    how long a read keeps collecting replies after answering, to repair them (100)
 * @param forwardSlackMillis       extra time a forwarding node waits beyond the forwarded request's timeout, for
 *                                 the round trip (500)
 * @param maxHints                 hints this node holds for others before it refuses more (100 000); 0 stores no
 *                                 hints at all (every HINT_PUT is refused, so a write counts primaries only and
 *                                 anti-entropy alone brings a missed replica up to date)
 * @param maxHintAgeMillis         hints older than this are dropped unsent; anti-entropy covers them (6 h)
 * @param hintReplayIntervalMillis pause between two hint replay rounds when no owner has a backlog left, and the
 *                                 longest one owner's turn of a round runs, so that down owners are probed about
 *                                 once per interval (1000); see {@link HintReplayer}
 * @param hintReplayBatchSize      hints sent to an owner together, as one unit of the budget: one permit, its keys
 *                                 and bytes spent at once (100)
 * @param budget                   the node's background budget, shared by hint replay and anti-entropy
 *                                 ({@link BudgetConfig#defaults()}: 2 at once, 20 000 keys/s, 32 MiB/s)
 * @param readFanout               how many replicas a read asks at first: R ({@link ReadFanout#QUORUM}, the
 *                                 default) or all N ({@link ReadFanout#ALL}, the behaviour before, for
 *                                 measurement)
 * @param speculativeRetry         when a read asks one replica beyond the R it asked ({@link SpeculativeRetry#P99}:
 *                                 the 99th percentile of recent replica reads, at least 1 ms, at most the replica
 *                                 timeout)
 * @param readRepairChance         the probability, 0..1, that a read asks the replicas it did not ask after
 *                                 answering, and repairs them (0.1); with {@link ReadFanout#ALL} every read asks all
 */
public record CoordinatorConfig(int n, int r, int w, long requestTimeoutMillis, long replicaTimeoutMillis,
        long readRepairGraceMillis, long forwardSlackMillis, long maxHints, long maxHintAgeMillis,
        long hintReplayIntervalMillis, int hintReplayBatchSize, BudgetConfig budget, ReadFanout readFanout,
        SpeculativeRetry speculativeRetry, double readRepairChance) {

    /** A tenth of the reads compare the replicas they did not ask: Cassandra's long-time default. */
    public static final double DEFAULT_READ_REPAIR_CHANCE = 0.1;

    private static final CoordinatorConfig DEFAULTS = new CoordinatorConfig(3, 2, 2, 2_000, 500, 100, 500, 100_000,
            6 * 3600_000L, 1_000, 100, BudgetConfig.defaults(), ReadFanout.QUORUM, SpeculativeRetry.P99,
            DEFAULT_READ_REPAIR_CHANCE);

    public CoordinatorConfig {
        if (n < 1 || n > QuorumOptions.MAX_REPLICAS) {
            throw new IllegalArgumentException("default n must be in 1.." + QuorumOptions.MAX_REPLICAS + ", got " + n);
        }
        if (r < 1 || r > n || w < 1 || w > n) {
            throw new IllegalArgumentException("default r and w must be in 1..n = " + n + ", got r = " + r
                    + ", w = " + w);
        }
        positive("requestTimeoutMillis", requestTimeoutMillis);
        positive("replicaTimeoutMillis", replicaTimeoutMillis);
        positive("hintReplayIntervalMillis", hintReplayIntervalMillis);
        if (maxHints < 0) {
            throw new IllegalArgumentException("maxHints must be >= 0 (0: no hints), got " + maxHints);
        }
        positive("maxHintAgeMillis", maxHintAgeMillis);
        positive("hintReplayBatchSize", hintReplayBatchSize);
        if (readRepairGraceMillis < 0 || forwardSlackMillis < 0) {
            throw new IllegalArgumentException("readRepairGraceMillis and forwardSlackMillis must be >= 0");
        }
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(readFanout, "readFanout");
        Objects.requireNonNull(speculativeRetry, "speculativeRetry");
        if (!(readRepairChance >= 0 && readRepairChance <= 1)) {
            throw new IllegalArgumentException("readRepairChance must be in 0..1, got " + readRepairChance);
        }
    }

    /** The settings before the read fanout existed, with the default read path. */
    public CoordinatorConfig(int n, int r, int w, long requestTimeoutMillis, long replicaTimeoutMillis,
            long readRepairGraceMillis, long forwardSlackMillis, long maxHints, long maxHintAgeMillis,
            long hintReplayIntervalMillis, int hintReplayBatchSize, BudgetConfig budget) {
        this(n, r, w, requestTimeoutMillis, replicaTimeoutMillis, readRepairGraceMillis, forwardSlackMillis, maxHints,
                maxHintAgeMillis, hintReplayIntervalMillis, hintReplayBatchSize, budget, ReadFanout.QUORUM,
                SpeculativeRetry.P99, DEFAULT_READ_REPAIR_CHANCE);
    }

    /** The settings before the budget existed, with the default budget. */
    public CoordinatorConfig(int n, int r, int w, long requestTimeoutMillis, long replicaTimeoutMillis,
            long readRepairGraceMillis, long forwardSlackMillis, long maxHints, long maxHintAgeMillis,
            long hintReplayIntervalMillis, int hintReplayBatchSize) {
        this(n, r, w, requestTimeoutMillis, replicaTimeoutMillis, readRepairGraceMillis, forwardSlackMillis, maxHints,
                maxHintAgeMillis, hintReplayIntervalMillis, hintReplayBatchSize, BudgetConfig.defaults());
    }

    public static CoordinatorConfig defaults() {
        return DEFAULTS;
    }

    public CoordinatorConfig withQuorum(int n, int r, int w) {
        return with(b -> {
            b.n = n;
            b.r = r;
            b.w = w;
        });
    }

    public CoordinatorConfig withTimeouts(long requestMillis, long replicaMillis) {
        return with(b -> {
            b.requestTimeoutMillis = requestMillis;
            b.replicaTimeoutMillis = replicaMillis;
        });
    }

    public CoordinatorConfig withReadRepairGrace(long millis) {
        return with(b -> b.readRepairGraceMillis = millis);
    }

    public CoordinatorConfig withHintLimits(long maxCount, long maxAgeMillis) {
        return with(b -> {
            b.maxHints = maxCount;
            b.maxHintAgeMillis = maxAgeMillis;
        });
    }

    public CoordinatorConfig withHintReplay(long intervalMillis, int batchSize) {
        return with(b -> {
            b.hintReplayIntervalMillis = intervalMillis;
            b.hintReplayBatchSize = batchSize;
        });
    }

    public CoordinatorConfig withBudget(BudgetConfig budgetConfig) {
        return with(b -> b.budget = budgetConfig);
    }

    public CoordinatorConfig withReadFanout(ReadFanout fanout) {
        return with(b -> b.readFanout = fanout);
    }

    public CoordinatorConfig withSpeculativeRetry(SpeculativeRetry retry) {
        return with(b -> b.speculativeRetry = retry);
    }

    public CoordinatorConfig withReadRepairChance(double chance) {
        return with(b -> b.readRepairChance = chance);
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private CoordinatorConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private int n;
        private int r;
        private int w;
        private long requestTimeoutMillis;
        private long replicaTimeoutMillis;
        private long readRepairGraceMillis;
        private long forwardSlackMillis;
        private long maxHints;
        private long maxHintAgeMillis;
        private long hintReplayIntervalMillis;
        private int hintReplayBatchSize;
        private BudgetConfig budget;
        private ReadFanout readFanout;
        private SpeculativeRetry speculativeRetry;
        private double readRepairChance;

        private Builder(CoordinatorConfig c) {
            n = c.n;
            r = c.r;
            w = c.w;
            requestTimeoutMillis = c.requestTimeoutMillis;
            replicaTimeoutMillis = c.replicaTimeoutMillis;
            readRepairGraceMillis = c.readRepairGraceMillis;
            forwardSlackMillis = c.forwardSlackMillis;
            maxHints = c.maxHints;
            maxHintAgeMillis = c.maxHintAgeMillis;
            hintReplayIntervalMillis = c.hintReplayIntervalMillis;
            hintReplayBatchSize = c.hintReplayBatchSize;
            budget = c.budget;
            readFanout = c.readFanout;
            speculativeRetry = c.speculativeRetry;
            readRepairChance = c.readRepairChance;
        }

        private CoordinatorConfig build() {
            return new CoordinatorConfig(n, r, w, requestTimeoutMillis, replicaTimeoutMillis, readRepairGraceMillis,
                    forwardSlackMillis, maxHints, maxHintAgeMillis, hintReplayIntervalMillis, hintReplayBatchSize,
                    budget, readFanout, speculativeRetry, readRepairChance);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
