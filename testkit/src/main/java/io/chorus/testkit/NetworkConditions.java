package io.chorus.testkit;

import java.util.function.Consumer;

/**
 * How the simulated network treats each message (requests and replies alike): a one-way latency drawn uniformly
 * from {@code [minLatencyMillis, maxLatencyMillis]}, so messages overtake each other whenever the range is wider
 * than the gap between them; a chance of being dropped; and, when not dropped, a chance of being delivered twice,
 * the copy with its own latency. Partitions and crashes are set on {@link SimNetwork}, not here. Immutable.
 */
public record NetworkConditions(
        long minLatencyMillis, long maxLatencyMillis, double dropProbability, double duplicateProbability) {

    /** 1 to 10 ms of latency (enough to reorder), nothing dropped or duplicated. */
    public static final NetworkConditions DEFAULT = new NetworkConditions(1, 10, 0, 0);

    public NetworkConditions {
        if (minLatencyMillis < 0 || maxLatencyMillis < minLatencyMillis) {
            throw new IllegalArgumentException(
                    "latency must satisfy 0 <= min <= max: " + minLatencyMillis + ".." + maxLatencyMillis);
        }
        checkProbability("drop", dropProbability);
        checkProbability("duplicate", duplicateProbability);
    }

    public NetworkConditions withLatency(long minMillis, long maxMillis) {
        return with(b -> {
            b.minLatencyMillis = minMillis;
            b.maxLatencyMillis = maxMillis;
        });
    }

    public NetworkConditions withDropProbability(double p) {
        return with(b -> b.dropProbability = p);
    }

    public NetworkConditions withDuplicateProbability(double p) {
        return with(b -> b.duplicateProbability = p);
    }

    /** This setting with {@code change} made to a copy of its components; the canonical constructor validates. */
    private NetworkConditions with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private long minLatencyMillis;
        private long maxLatencyMillis;
        private double dropProbability;
        private double duplicateProbability;

        private Builder(NetworkConditions c) {
            minLatencyMillis = c.minLatencyMillis;
            maxLatencyMillis = c.maxLatencyMillis;
            dropProbability = c.dropProbability;
            duplicateProbability = c.duplicateProbability;
        }

        private NetworkConditions build() {
            return new NetworkConditions(minLatencyMillis, maxLatencyMillis, dropProbability, duplicateProbability);
        }
    }

    private static void checkProbability(String what, double p) {
        // The negated form also rejects NaN.
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " probability must be within [0, 1]: " + p);
        }
    }
}
