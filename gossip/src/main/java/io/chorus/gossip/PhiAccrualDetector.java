package io.chorus.gossip;

import io.chorus.core.NodeId;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The phi-accrual failure detector of Hayashibara et al. ("The φ accrual failure detector", 2004), as Akka and
 * Cassandra run it: instead of a yes/no verdict it gives, for each monitored node, a suspicion level
 * {@code phi = -log10(P(a heartbeat arrives later than now))}, judged against the node's own recent heartbeat
 * intervals, and a node is available while {@code phi < threshold}.
 *
 * <p><b>The model.</b> Per node, the last {@link FailureDetectorConfig#windowSize()} inter-arrival intervals, with
 * their sum and sum of squares kept as samples come and go (recomputed exactly once per window of evictions, so
 * floating-point drift cannot build up). The interval is taken to be normal with the window's mean plus
 * {@link FailureDetectorConfig#acceptablePause()} and standard deviation at least
 * {@link FailureDetectorConfig#minStdDeviation()}. The normal model, as in Akka, rather than Cassandra's
 * exponential one ({@code phi = elapsed / mean · log10 e}): the exponential ignores the variance, so at threshold 8
 * it convicts a node with 1 s heartbeats only after about 18 s of silence, regular or erratic alike; the normal
 * model convicts a regular node a few deviations past its usual interval and gives an erratic one more room,
 * while the acceptable pause and the deviation floor keep it from being brittle when intervals are very regular.
 * The normal tail is computed with the logistic approximation Akka uses,
 * {@code 1 - Φ(y) ≈ 1 / (1 + e^{a})}, {@code a = y (1.5976 + 0.070566 y²)}, so
 * {@code phi = log10(1 + e^{a})}, evaluated as a stable softplus: never NaN or infinite (y is clamped to
 * ±{@value #Y_LIMIT}), 0 well before the mean, and non-decreasing in the elapsed time.
 *
 * <p>With the defaults and heartbeats every second, phi reaches 8 at {@code y ≈ 5.226}, i.e. after a silence of
 * {@code mean + 5 s + 5.226 · max(σ, 100 ms)}: about 6.5 s for a regular node, about 8 s for one losing 10%
 * of its heartbeats (mean 1.11 s, σ 0.35 s).
 *
 * <p><b>New nodes.</b> A node's history starts, at its first heartbeat, with two samples
 * {@link FailureDetectorConfig#firstHeartbeatEstimate()} ± a quarter (Akka's rule), so a node heard from once is
 * judged as if it beat at that interval with some variance, not convicted at once.
 *
 * <p><b>Outages are not samples.</b> A heartbeat that arrives while its node is judged down (phi at or above the
 * threshold) starts it afresh: the silence before it is an outage, not an interval, and is not recorded. Otherwise
 * one long outage would inflate the mean and deviation for the next thousand heartbeats and blunt the detection of
 * the next crash. The node is available again from that heartbeat on.
 *
 * <p><b>The pause guard.</b> The owning agent calls {@link #tick(long)} every
 * {@link FailureDetectorConfig#tickInterval()}. When the gap since the previous tick exceeds
 * {@link FailureDetectorConfig#pauseThreshold()}, this node itself was not running (a GC, a suspended VM, a
 * starved thread): the excess, {@code gap - tickInterval}, is time no heartbeat could have been seen in, so every
 * monitored node's last arrival moves forward by it (never past now). Nobody is convicted for a pause of the
 * observer; a node that really died during the pause is convicted as long after the resume as it would have been
 * after its last heartbeat without the pause. Pauses are counted ({@link #pausesDetected()},
 * {@link #pausedNanos()}). On resuming, the agent should tick before it handles the messages that waited: a
 * heartbeat handled first would find its node silent for the whole pause. A gap below the threshold is not a pause: the default (2 s, ticks every 1 s) keeps an
 * undetected stall plus one interval well under the 6.5 s a regular node needs to be convicted.
 *
 * <p><b>Time.</b> Nothing here reads a clock: every method is handed {@code nowNanos} (a {@code Clock}'s nanos, or
 * virtual time). Times are compared by difference, as {@link System#nanoTime()} values must be; a time earlier than
 * one already seen counts as no time elapsed.
 *
 * <p><b>Thread-safety: none, by design.</b> This is the state of a single-threaded agent (the gossip agent): all
 * calls must come from that agent's thread. No locks, no allocation per call beyond a node's first heartbeat.
 */
public final class PhiAccrualDetector {

    /** Bound of the standardized elapsed time, so phi stays finite (phi ≤ about 3·10<sup>13</sup>). */
    static final double Y_LIMIT = 1e5;
    private static final double LN_10 = Math.log(10);

    private final FailureDetectorConfig config;
    private final double threshold;
    private final double minStdNanos;
    private final double acceptablePauseNanos;
    private final long tickIntervalNanos;
    private final long pauseThresholdNanos;
    private final Map<NodeId, History> nodes = new HashMap<>();

    private boolean ticked;
    private long lastTick;
    private long pausesDetected;
    private long pausedNanos;
    private long outagesEnded;

    public PhiAccrualDetector(FailureDetectorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.threshold = config.threshold();
        this.minStdNanos = config.minStdDeviation().toNanos();
        this.acceptablePauseNanos = config.acceptablePause().toNanos();
        this.tickIntervalNanos = config.tickInterval().toNanos();
        this.pauseThresholdNanos = config.pauseThreshold().toNanos();
    }

    /** A detector with {@link FailureDetectorConfig#DEFAULTS}. */
    public PhiAccrualDetector() {
        this(FailureDetectorConfig.DEFAULTS);
    }

    public FailureDetectorConfig config() {
        return config;
    }

    /**
     * Records a heartbeat of {@code node} arriving at {@code nowNanos}; the first one starts monitoring it. An
     * arrival earlier than the node's last one moves nothing.
     */
    public void heartbeat(NodeId node, long nowNanos) {
        Objects.requireNonNull(node, "node");
        History history = nodes.get(node);
        if (history == null) {
            nodes.put(node, new History(config.windowSize(), config.firstHeartbeatEstimate().toNanos(), nowNanos));
            return;
        }
        long interval = nowNanos - history.lastArrival;
        if (interval < 0) {
            return;
        }
        if (phi(history, interval) >= threshold) {
            history.restart(config.firstHeartbeatEstimate().toNanos());
            outagesEnded++;
        } else {
            history.add(interval);
        }
        history.lastArrival = nowNanos;
    }

    /**
     * The suspicion level of {@code node} at {@code nowNanos}: 0 for a node never heard from (there is nothing to
     * suspect; membership, not the detector, says whether it exists), else finite, non-negative, non-decreasing in
     * {@code nowNanos} until its next heartbeat.
     */
    public double phi(NodeId node, long nowNanos) {
        History history = nodes.get(Objects.requireNonNull(node, "node"));
        if (history == null) {
            return 0.0;
        }
        return phi(history, Math.max(0, nowNanos - history.lastArrival));
    }

    /** {@code phi(node, nowNanos) < threshold}. True for a node never heard from. */
    public boolean isAvailable(NodeId node, long nowNanos) {
        return phi(node, nowNanos) < threshold;
    }

    /**
     * How long after a heartbeat its node is available whatever its history: the acceptable pause, provided the
     * threshold exceeds log10 2; else 0. Within the pause {@code elapsed - mean - pause <= 0} (intervals are never
     * negative), so phi is at most {@code log10(1 + e^0) = log10 2}. An agent judging many nodes each round can skip
     * those it heard from this recently.
     */
    public long availableForNanosAfterHeartbeat() {
        return threshold > Math.log10(2) ? (long) acceptablePauseNanos : 0;
    }

    /**
     * The owning agent's tick at {@code nowNanos}, every {@link FailureDetectorConfig#tickInterval()}: applies the
     * pause guard (see the class comment). Returns whether this tick ended a pause of the local node.
     */
    public boolean tick(long nowNanos) {
        if (!ticked) {
            ticked = true;
            lastTick = nowNanos;
            return false;
        }
        long gap = nowNanos - lastTick;
        if (gap < 0) {
            return false;
        }
        lastTick = nowNanos;
        if (gap <= pauseThresholdNanos) {
            return false;
        }
        long shift = gap - tickIntervalNanos;
        for (History history : nodes.values()) {
            long moved = history.lastArrival + shift;
            history.lastArrival = moved - nowNanos > 0 ? nowNanos : moved;
        }
        pausesDetected++;
        pausedNanos += shift;
        return true;
    }

    /** Stops monitoring {@code node}, forgetting its history. Returns whether it was monitored. */
    public boolean remove(NodeId node) {
        return nodes.remove(Objects.requireNonNull(node, "node")) != null;
    }

    /** The nodes heard from and not removed, in order: a copy. */
    public SortedSet<NodeId> monitored() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(nodes.keySet()));
    }

    /** How many ticks ended a pause of the local node. */
    public long pausesDetected() {
        return pausesDetected;
    }

    /** The total time, in nanos, not held against monitored nodes because the local node was paused. */
    /**
     * How many heartbeats ended an outage: they arrived while their node's phi was at or above the threshold, so its
     * history started afresh (see the class comment).
     */
    public long outagesEnded() {
        return outagesEnded;
    }

    public long pausedNanos() {
        return pausedNanos;
    }

    private double phi(History history, long elapsedNanos) {
        double mean = history.mean() + acceptablePauseNanos;
        double std = Math.max(history.stdDeviation(), minStdNanos);
        return phi(elapsedNanos, mean, std);
    }

    /** {@code -log10(1 - Φ((elapsed - mean) / std))} with Akka's logistic approximation of Φ; see the class comment. */
    static double phi(double elapsed, double mean, double std) {
        double y = (elapsed - mean) / std;
        y = Math.max(-Y_LIMIT, Math.min(Y_LIMIT, y));
        double a = y * (1.5976 + 0.070566 * y * y);
        // log(1 + e^a) without overflow: for a > 0 it is a + log(1 + e^-a).
        double softplus = a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a));
        return softplus / LN_10;
    }

    /** One node's window of intervals and its last arrival. */
    private static final class History {
        private final long[] samples;
        private int count;
        private int next;
        private int evictionsSinceRecompute;
        private double sum;
        private double sumOfSquares;
        long lastArrival;

        History(int windowSize, long firstEstimate, long firstArrival) {
            this.samples = new long[windowSize];
            this.lastArrival = firstArrival;
            restart(firstEstimate);
        }

        void restart(long firstEstimate) {
            count = 0;
            next = 0;
            sum = 0;
            sumOfSquares = 0;
            evictionsSinceRecompute = 0;
            long quarter = firstEstimate / 4;
            add(firstEstimate - quarter);
            add(firstEstimate + quarter);
        }

        void add(long interval) {
            if (count == samples.length) {
                double old = samples[next];
                sum -= old;
                sumOfSquares -= old * old;
                evictionsSinceRecompute++;
            } else {
                count++;
            }
            samples[next] = interval;
            next = next + 1 == samples.length ? 0 : next + 1;
            double x = interval;
            sum += x;
            sumOfSquares += x * x;
            if (evictionsSinceRecompute >= samples.length) {
                recompute();
            }
        }

        private void recompute() {
            double s = 0;
            double sq = 0;
            for (int i = 0; i < count; i++) {
                double x = samples[i];
                s += x;
                sq += x * x;
            }
            sum = s;
            sumOfSquares = sq;
            evictionsSinceRecompute = 0;
        }

        double mean() {
            return sum / count;
        }

        double stdDeviation() {
            double mean = sum / count;
            double variance = sumOfSquares / count - mean * mean;
            return variance > 0 ? Math.sqrt(variance) : 0.0;
        }
    }
}
