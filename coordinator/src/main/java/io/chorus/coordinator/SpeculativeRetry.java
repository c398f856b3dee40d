package io.chorus.coordinator;

import java.util.Objects;

/**
 * When a read asks one replica beyond the R it asked first, as Cassandra's {@code speculative_retry}: after a fixed
 * delay, or after a percentile of this coordinator's recent replica read latencies ({@link ReadLatency}), or never.
 * The delay is at least {@link #FLOOR_MILLIS}, and a percentile delay at most the replica timeout (after which the
 * read asks every remaining replica anyway). Immutable.
 *
 * @param kind        off, a fixed delay, or a percentile
 * @param fixedMillis the fixed delay, {@value #FLOOR_MILLIS}..{@value QuorumOptions#MAX_TIMEOUT_MILLIS} ms
 *                    (FIXED only, else 0)
 * @param percentile  the percentile, in (0, 100) (PERCENTILE only, else 0)
 */
public record SpeculativeRetry(Kind kind, long fixedMillis, double percentile) {

    public enum Kind { OFF, FIXED, PERCENTILE }

    /**
     * No speculative read is sent sooner than this: below a millisecond it would double every read on a fast
     * network for a gain nobody can measure.
     */
    public static final long FLOOR_MILLIS = 1;

    /** Never speculate: a read waits for the R it asked (or for the replica timeout). */
    public static final SpeculativeRetry OFF = new SpeculativeRetry(Kind.OFF, 0, 0);

    /** The default: the 99th percentile, so about one read in a hundred asks an extra replica. */
    public static final SpeculativeRetry P99 = percentile(99);

    public SpeculativeRetry {
        Objects.requireNonNull(kind, "kind");
        switch (kind) {
            case OFF -> {
                if (fixedMillis != 0 || percentile != 0) {
                    throw new IllegalArgumentException("speculative retry off takes no delay or percentile");
                }
            }
            case FIXED -> {
                if (fixedMillis < FLOOR_MILLIS || fixedMillis > QuorumOptions.MAX_TIMEOUT_MILLIS
                        || percentile != 0) {
                    throw new IllegalArgumentException("a fixed speculative retry delay must be in " + FLOOR_MILLIS
                            + ".." + QuorumOptions.MAX_TIMEOUT_MILLIS + " ms, got " + fixedMillis);
                }
            }
            case PERCENTILE -> {
                if (!(percentile > 0 && percentile < 100) || fixedMillis != 0) {
                    throw new IllegalArgumentException("a speculative retry percentile must be in (0, 100), got "
                            + percentile);
                }
            }
        }
    }

    public static SpeculativeRetry fixed(long millis) {
        return new SpeculativeRetry(Kind.FIXED, millis, 0);
    }

    public static SpeculativeRetry percentile(double p) {
        return new SpeculativeRetry(Kind.PERCENTILE, 0, p);
    }

    public boolean enabled() {
        return kind != Kind.OFF;
    }

    /**
     * The delay before a speculative read, in ms, or -1 when off. {@code estimateNanos} is the tracked percentile
     * (-1 while too few reads were seen: then half the replica timeout, as Cassandra starts from half the read
     * timeout, so a cold node does not speculate on every read).
     */
    long delayMillis(long estimateNanos, long replicaTimeoutMillis) {
        return switch (kind) {
            case OFF -> -1;
            case FIXED -> fixedMillis;
            case PERCENTILE -> {
                long millis = estimateNanos < 0 ? replicaTimeoutMillis / 2 : (estimateNanos + 999_999) / 1_000_000;
                yield Math.max(FLOOR_MILLIS, Math.min(millis, replicaTimeoutMillis));
            }
        };
    }

    /** {@code off}, {@code 50ms}, {@code p99}: the config file's spelling of each kind. */
    @Override
    public String toString() {
        return switch (kind) {
            case OFF -> "off";
            case FIXED -> fixedMillis + "ms";
            case PERCENTILE -> "p" + (percentile == Math.rint(percentile) ? Long.toString((long) percentile)
                    : Double.toString(percentile));
        };
    }
}
