package io.chorus.testkit;

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
        return new NetworkConditions(minMillis, maxMillis, dropProbability, duplicateProbability);
    }

    public NetworkConditions withDropProbability(double p) {
        return new NetworkConditions(minLatencyMillis, maxLatencyMillis, p, duplicateProbability);
    }

    public NetworkConditions withDuplicateProbability(double p) {
        return new NetworkConditions(minLatencyMillis, maxLatencyMillis, dropProbability, p);
    }

    private static void checkProbability(String what, double p) {
        // The negated form also rejects NaN.
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " probability must be within [0, 1]: " + p);
        }
    }
}
