package io.chorus.coordinator;

/**
 * Recent latencies of this coordinator's replica reads, for the speculative retry delay
 * ({@link SpeculativeRetry}): a histogram of quarter-octave buckets (each about 19% wide, fine enough for a
 * delay) whose counts halve every {@link #HALF_LIFE_NANOS}, so the percentile follows a replica that turns slow
 * within seconds and forgets an old spike. Time is handed in by the caller (the coordinator's clock).
 *
 * <p>Thread-safety: thread-safe; replies arrive on transport threads. Each call holds this object's monitor for a
 * few array operations, never across I/O.
 */
final class ReadLatency {

    /** How quickly old reads stop counting: a spike is half forgotten after this long. */
    static final long HALF_LIFE_NANOS = 10_000_000_000L;
    /** Fewer (decayed) reads than this say nothing about a tail: the estimate is then unknown. */
    static final double MIN_SAMPLES = 20;
    /** Four buckets per power of two of microseconds, up to 2^32 µs (over an hour): more than any timeout. */
    private static final int BUCKETS = 4 * 33;

    private final double[] counts = new double[BUCKETS];
    private double total;
    private long lastDecayNanos;
    private boolean started;

    /** One replica read that took {@code latencyNanos}, observed at {@code nowNanos}. */
    synchronized void record(long latencyNanos, long nowNanos) {
        decay(nowNanos);
        counts[bucket(Math.max(0, latencyNanos) / 1_000)]++;
        total++;
    }

    /**
     * The latency below which {@code percentile}% of recent reads fell, rounded up to its bucket's upper bound
     * (so the delay errs long, never short), or -1 while fewer than {@link #MIN_SAMPLES} reads count.
     */
    synchronized long percentileNanos(double percentile, long nowNanos) {
        decay(nowNanos);
        if (total < MIN_SAMPLES) {
            return -1;
        }
        double target = total * percentile / 100;
        double seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= target && counts[i] > 0) {
                return upperBoundMicros(i) * 1_000;
            }
        }
        return upperBoundMicros(BUCKETS - 1) * 1_000;
    }

    /** The delay before a read speculates under {@code retry}, in ms, or -1 when it never does. */
    long speculativeDelayMillis(SpeculativeRetry retry, long replicaTimeoutMillis, long nowNanos) {
        long estimate = retry.kind() == SpeculativeRetry.Kind.PERCENTILE
                ? percentileNanos(retry.percentile(), nowNanos) : -1;
        return retry.delayMillis(estimate, replicaTimeoutMillis);
    }

    private void decay(long nowNanos) {
        if (!started) {
            started = true;
            lastDecayNanos = nowNanos;
            return;
        }
        long elapsed = nowNanos - lastDecayNanos;
        if (elapsed < HALF_LIFE_NANOS) {
            return;
        }
        double factor = Math.pow(0.5, (double) elapsed / HALF_LIFE_NANOS);
        total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] *= factor;
            total += counts[i];
        }
        lastDecayNanos = nowNanos;
    }

    /** Bucket {@code 4k + s} holds [ (4 + s) * 2^(k-2), (5 + s) * 2^(k-2) ) µs; 0..3 µs share the first ones. */
    static int bucket(long micros) {
        if (micros < 4) {
            return (int) micros;
        }
        int k = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) (micros >>> (k - 2)) & 3;
        return Math.min(BUCKETS - 1, 4 * k + sub);
    }

    /** The first value above bucket {@code i}. */
    static long upperBoundMicros(int i) {
        if (i < 4) {
            return i + 1;
        }
        int k = i / 4;
        int sub = i % 4;
        return (long) (5 + sub) << (k - 2);
    }
}
