package io.chorus.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.chorus.core.NodeId;
import io.chorus.testkit.SimulationSeeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The detector on virtual nanos: heartbeats every second with seeded jitter and loss, phi sampled every 100 ms.
 *
 * <p>The conviction bound with the defaults: phi = 8 at y ≈ 5.226 (solving {@code log10(1 + e^a) = 8},
 * {@code a = y (1.5976 + 0.070566 y²)}), so a node is convicted {@code mean + 5 s + 5.226 · max(σ, 100 ms)} after
 * its last heartbeat: 1 + 5 + 0.52 = 6.52 s for 1 s heartbeats with ±100 ms jitter (σ ≈ 0.08 s, floored), about
 * 1.11 + 5 + 5.226 · 0.35 ≈ 7.95 s when 10% of them are lost.
 */
@Tag(SimulationSeeds.TAG)
class PhiAccrualDetectorTest {

    /** The defaults with Akka's 1 s first estimate, which the figures below are worked out for. */
    private static final FailureDetectorConfig ONE_SECOND_FIRST =
            FailureDetectorConfig.DEFAULTS.withFirstHeartbeatEstimate(Duration.ofSeconds(1));

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final long STEP = 100 * MS;
    private static final double THRESHOLD = 8.0;
    /** The y at which phi reaches 8. */
    private static final double Y_AT_8 = 5.226;
    private static final NodeId B = NodeId.of("b");

    /** Heartbeats {@code k · 1 s + U(-100 ms, 100 ms)} for k in [from, to), each lost with probability {@code loss}. */
    private static List<Long> arrivals(Random rnd, long from, long to, double loss) {
        List<Long> out = new ArrayList<>();
        for (long k = from; k < to; k++) {
            boolean lost = rnd.nextDouble() < loss;
            long jitter = (long) ((rnd.nextDouble() - 0.5) * 200 * MS);
            if (!lost || k == from) {
                out.add(k * S + jitter);
            }
        }
        return out;
    }

    /**
     * Feeds {@code arrivals} to {@code d} and samples phi every 100 ms from the first arrival up to {@code until};
     * returns the largest phi sampled.
     */
    private static double replay(PhiAccrualDetector d, NodeId node, List<Long> arrivals, long until) {
        double max = 0;
        int i = 0;
        for (long t = arrivals.get(0); t < until; t += STEP) {
            while (i < arrivals.size() && arrivals.get(i) <= t) {
                d.heartbeat(node, arrivals.get(i++));
            }
            double phi = d.phi(node, t);
            if (phi >= THRESHOLD) {
                fail("%s convicted at %d ms (phi %.2f), last heartbeat at %d ms", node, t / MS, phi,
                        arrivals.get(i - 1) / MS);
            }
            max = Math.max(max, phi);
        }
        return max;
    }

    /** Virtual nanos from {@code from} in 100 ms steps until phi of {@code node} reaches the threshold. */
    private static long firstConviction(PhiAccrualDetector d, NodeId node, long from, long limit) {
        for (long t = from; t < from + limit; t += STEP) {
            if (!d.isAvailable(node, t)) {
                return t;
            }
        }
        throw new AssertionError(node + " not convicted within " + limit / MS + " ms of " + from / MS + " ms");
    }

    @Test
    void jitteryHeartbeatsStayUnderTheThresholdSilenceConvictsWithinTheBoundAndAReturnIsAvailableAtOnce() {
        SimulationSeeds.forEachSeed(10, seed -> {
            Random rnd = new Random(seed);
            PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
            List<Long> beats = arrivals(rnd, 0, 300, 0.0);
            long last = beats.get(beats.size() - 1);
            assertThat(replay(d, B, beats, last + STEP)).as("seed %d", seed).isLessThan(1.0);

            long convicted = firstConviction(d, B, last, 60 * S);
            // mean 1 s + acceptable pause 5 s + 5.226 × the 100 ms floor = 6.52 s, give or take the mean's jitter
            // and one 100 ms sampling step.
            double bound = S + 5 * S + Y_AT_8 * 100 * MS;
            assertThat((double) (convicted - last)).as("silence before conviction, seed %d", seed)
                    .isBetween(bound - 150 * MS, bound + 150 * MS)
                    .isLessThan(10.0 * S);

            long back = convicted + 120 * S;
            assertThat(d.isAvailable(B, back)).isFalse();
            d.heartbeat(B, back);
            assertThat(d.isAvailable(B, back)).as("available at its first new heartbeat").isTrue();
            assertThat(d.phi(B, back)).isZero();
            // The outage was not taken as a sample: the next silence is judged by the fresh history (first
            // estimate 1 s ± 250 ms: 1 + 5 + 5.226 × 0.25 = 7.3 s), not by a mean inflated by two minutes.
            long again = firstConviction(d, B, back, 60 * S);
            assertThat((double) (again - back)).isBetween(7.2 * S, 7.5 * S);
        });
    }

    @Test
    void tenPercentOfHeartbeatsLostOverTenThousandSecondsConvictsNoOneYetACrashIsStillCaught() {
        SimulationSeeds.forEachSeed(4, seed -> {
            Random rnd = new Random(seed);
            PhiAccrualDetector d = new PhiAccrualDetector();
            List<Long> beats = arrivals(rnd, 0, 10_000, 0.10);
            long last = beats.get(beats.size() - 1);
            double max = replay(d, B, beats, last + STEP);
            assertThat(max).as("largest phi, seed %d", seed).isLessThan(THRESHOLD);

            long convicted = firstConviction(d, B, last, 60 * S);
            // About 1.11 + 5 + 5.226 × 0.35 = 7.95 s; the window's draw moves it by a few tenths.
            assertThat(convicted - last).as("seed %d", seed).isBetween(7 * S, 9 * S);
        });
    }

    @Test
    void aTenSecondLocalPauseConvictsNobodyButANodeThatDiedDuringItIsConvictedWithinTheBoundAfterTheResume() {
        SimulationSeeds.forEachSeed(5, seed -> {
            PhiAccrualDetector guarded = new PhiAccrualDetector(ONE_SECOND_FIRST);
            PhiAccrualDetector unguarded = new PhiAccrualDetector(ONE_SECOND_FIRST
                    .withTicks(Duration.ofSeconds(1), Duration.ofHours(1)));
            Random rnd = new Random(seed);
            int n = 20;
            List<NodeId> nodes = new ArrayList<>();
            List<List<Long>> beats = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                nodes.add(NodeId.of("n" + i));
                beats.add(arrivals(rnd, 0, 200, 0.0));
            }
            NodeId dead = nodes.get(0);
            long pauseStart = 100 * S + 300 * MS;
            long resume = pauseStart + 10 * S;
            long deathAt = 105 * S;
            int[] next = new int[n];
            long lastTick = 0;
            long deadLast = 0;
            Long deadConvicted = null;
            for (long t = 0; t < 200 * S; t += STEP) {
                boolean paused = t >= pauseStart && t < resume;
                if (paused) {
                    continue;
                }
                if (t - lastTick >= S || t == 0) {
                    // The agent's tick; on resuming it comes first, as the detector's javadoc asks.
                    guarded.tick(t);
                    unguarded.tick(t);
                    lastTick = t;
                    if (t == resume) {
                        assertThat(guarded.pausesDetected()).isEqualTo(1);
                        // Ticks at 0, 1, ..., 100 s, then at the resume: the gap less the one interval it should be.
                        assertThat(guarded.pausedNanos()).isEqualTo(resume - 100 * S - S);
                        for (int i = 1; i < n; i++) {
                            assertThat(guarded.isAvailable(nodes.get(i), t)).as("guarded %s", nodes.get(i)).isTrue();
                        }
                        // Without the guard the same pause convicts every node still alive.
                        for (int i = 1; i < n; i++) {
                            assertThat(unguarded.isAvailable(nodes.get(i), t)).as("unguarded %s", nodes.get(i))
                                    .isFalse();
                        }
                        assertThat(unguarded.pausesDetected()).isZero();
                    }
                }
                for (int i = 0; i < n; i++) {
                    List<Long> mine = beats.get(i);
                    while (next[i] < mine.size() && mine.get(next[i]) <= t) {
                        long at = mine.get(next[i]++);
                        if (i == 0 && at >= deathAt) {
                            continue;
                        }
                        if (at >= pauseStart && at < resume) {
                            continue; // arrived while this node was paused: lost with the rest of its input
                        }
                        guarded.heartbeat(nodes.get(i), at);
                        unguarded.heartbeat(nodes.get(i), at);
                        if (i == 0) {
                            deadLast = at;
                        }
                    }
                    if (i > 0 && !guarded.isAvailable(nodes.get(i), t)) {
                        fail("%s convicted at %d ms (phi %.2f), seed %d", nodes.get(i), t / MS,
                                guarded.phi(nodes.get(i), t), seed);
                    }
                }
                if (deadConvicted == null && !guarded.isAvailable(dead, t)) {
                    deadConvicted = t;
                }
            }
            assertThat(deadLast).isLessThan(pauseStart);
            assertThat(deadConvicted).as("the node that died during the pause, seed %d", seed).isNotNull();
            // Its last heartbeat (before the pause) moved forward by the pause's excess (9.3 s), then the usual
            // 6.52 s: convicted after the resume, and within 6.52 s + one interval of it.
            assertThat(deadConvicted).isGreaterThan(resume);
            assertThat(deadConvicted - resume).isLessThanOrEqualTo((long) (S + 5 * S + Y_AT_8 * 100 * MS + S));
        });
    }
}
