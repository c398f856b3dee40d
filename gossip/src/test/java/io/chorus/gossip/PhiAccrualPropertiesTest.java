package io.chorus.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.testkit.SimulationSeeds;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Numeric edges of phi, the pause guard's small cases, bookkeeping and config validation. */
@Tag(SimulationSeeds.TAG)
class PhiAccrualPropertiesTest {

    /** The defaults with Akka's 1 s first estimate, which the figures below are worked out for. */
    private static final FailureDetectorConfig ONE_SECOND_FIRST =
            FailureDetectorConfig.DEFAULTS.withFirstHeartbeatEstimate(Duration.ofSeconds(1));

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final NodeId B = NodeId.of("b");

    /** phi of {@code node} from {@code from} on, at growing gaps up to about 2^62 ns: finite, >= 0, non-decreasing. */
    private static void assertMonotoneAndFinite(PhiAccrualDetector d, NodeId node, long from) {
        double previous = 0;
        for (long gap = 0; gap < Long.MAX_VALUE / 2; gap = gap < 10 * S ? gap + 10 * MS : gap * 2 + 1) {
            double phi = d.phi(node, from + gap);
            if (!Double.isFinite(phi) || phi < 0 || phi < previous) {
                throw new AssertionError("phi " + phi + " after " + previous + " at a gap of " + gap + " ns");
            }
            previous = phi;
        }
        assertThat(previous).as("phi at a gap of about 2^62 ns").isGreaterThan(1e6);
    }

    @Test
    void byDefaultANodeHeardOfOnceHasTheRoomOfATwoSecondEstimate() {
        // A node heard of second-hand while a cluster forms is often heard again only 7-8 s later (see
        // FailureDetectorConfig.DEFAULTS): 2 s ± 500 ms convicts at 2 + 5 + 5.226 × 0.5 ≈ 9.61 s.
        PhiAccrualDetector d = new PhiAccrualDetector();
        d.heartbeat(B, 3 * S);
        assertThat(d.isAvailable(B, 3 * S + 9_500 * MS)).isTrue();
        assertThat(d.isAvailable(B, 3 * S + 9_700 * MS)).isFalse();
    }

    @Test
    void oneSampleIsNotConvictedAtOnceAndPhiIsMonotoneAndFinite() {
        PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
        d.heartbeat(B, 7 * S);
        assertThat(d.monitored()).containsExactly(B);
        assertThat(d.phi(B, 7 * S)).isZero();
        // First estimate 1 s ± 250 ms: convicted at 1 + 5 + 5.226 × 0.25 ≈ 7.31 s, not before.
        assertThat(d.isAvailable(B, 7 * S + 7_200 * MS)).isTrue();
        assertThat(d.isAvailable(B, 7 * S + 7_400 * MS)).isFalse();
        assertMonotoneAndFinite(d, B, 7 * S);
    }

    @Test
    void constantIntervalsUseTheMinimumStandardDeviation() {
        PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
        for (int k = 0; k <= 2_000; k++) {
            d.heartbeat(B, k * S);
        }
        long last = 2_000 * S;
        // Variance 0 (the first estimate's two samples are long evicted): σ = the 100 ms floor, mean 1 s + 5 s.
        assertThat(d.phi(B, last + 6 * S)).isCloseTo(PhiAccrualDetector.phi(6.0, 6.0, 0.1),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(d.phi(B, last + 6 * S)).isCloseTo(0.30103, org.assertj.core.data.Offset.offset(1e-4)); // 1/2
        assertThat(d.isAvailable(B, last + 6_500 * MS)).isTrue();
        assertThat(d.isAvailable(B, last + 6_550 * MS)).isFalse();
        assertMonotoneAndFinite(d, B, last);
    }

    @Test
    void theFormulaIsFiniteAndMonotoneAtTheExtremes() {
        SimulationSeeds.forEachSeed(20, seed -> {
            Random rnd = new Random(seed);
            double mean = 1 + rnd.nextDouble() * 1e10;
            double std = 1 + rnd.nextDouble() * 1e9;
            double previous = 0;
            for (double x = -1e19; x < 1e19; x = x < 0 ? x / 1.7 + (x > -1 ? 1 : 0) : x * 1.7 + 1) {
                double phi = PhiAccrualDetector.phi(x, mean, std);
                if (!Double.isFinite(phi) || phi < 0 || phi < previous) {
                    throw new AssertionError("phi " + phi + " after " + previous + " at " + x + ", seed " + seed);
                }
                previous = phi;
            }
        });
        assertThat(PhiAccrualDetector.phi(Double.MAX_VALUE, 1, 1e-300)).isFinite();
        assertThat(PhiAccrualDetector.phi(-Double.MAX_VALUE, 1, 1e-300)).isZero();
    }

    @Test
    void aHugeGapThenAHeartbeatStartsTheNodeAfresh() {
        PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
        for (int k = 0; k < 100; k++) {
            d.heartbeat(B, k * S);
        }
        long back = 99 * S + Long.MAX_VALUE / 4;
        assertThat(d.isAvailable(B, back)).isFalse();
        assertThat(d.outagesEnded()).isZero();
        d.heartbeat(B, back);
        assertThat(d.outagesEnded()).isEqualTo(1);
        assertThat(d.isAvailable(B, back + S)).isTrue();
        assertThat(d.isAvailable(B, back + 7 * S)).isTrue(); // the fresh history: 7.3 s, as for a new node
        assertThat(d.isAvailable(B, back + 8 * S)).isFalse();
        // A heartbeat from the past moves nothing.
        d.heartbeat(B, back - 3 * S);
        assertThat(d.isAvailable(B, back + 8 * S)).isFalse();
    }

    @Test
    void availableForTheAcceptablePauseAfterAnyHeartbeat() {
        PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
        long within = d.availableForNanosAfterHeartbeat();
        assertThat(within).isEqualTo(5 * S);
        // The most fragile history: constant 10 ms intervals, the deviation at its floor.
        for (int k = 0; k < 1000; k++) {
            d.heartbeat(B, k * 10_000_000L);
        }
        long last = 999 * 10_000_000L;
        assertThat(d.isAvailable(B, last + within - 1)).isTrue();
        assertThat(d.phi(B, last + within - 1)).isLessThan(Math.log10(2) + 1e-9);
        assertThat(new PhiAccrualDetector(FailureDetectorConfig.DEFAULTS.withThreshold(0.3))
                .availableForNanosAfterHeartbeat()).as("a threshold under log10 2 promises nothing").isZero();
    }

    @Test
    void theGuardIgnoresGapsUpToItsThresholdAndTimeGoingBack() {
        PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
        d.heartbeat(B, 0);
        assertThat(d.tick(0)).isFalse();
        assertThat(d.tick(2 * S)).as("a gap of exactly the threshold").isFalse();
        assertThat(d.tick(S)).as("time going back").isFalse();
        assertThat(d.pausesDetected()).isZero();
        assertThat(d.tick(4 * S + 1)).isTrue();
        assertThat(d.pausesDetected()).isEqualTo(1);
        assertThat(d.pausedNanos()).isEqualTo(S + 1);
        // B's last arrival moved from 0 to 1 s + 1 ns: the new node's 7.31 s count from there.
        assertThat(d.isAvailable(B, 8_250 * MS)).isTrue();
        assertThat(d.isAvailable(B, 8_400 * MS)).isFalse();
    }

    @Test
    void theShiftNeverMovesAnArrivalPastNow() {
        PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
        d.tick(0);
        d.heartbeat(B, 9 * S); // handled between ticks, late in the gap
        assertThat(d.tick(10 * S)).isTrue();
        assertThat(d.phi(B, 10 * S)).isZero();
        d.heartbeat(B, 11 * S);
        assertThat(d.isAvailable(B, 11 * S)).isTrue();
    }

    @Test
    void unknownNodesRemoveAndMonitored() {
        PhiAccrualDetector d = new PhiAccrualDetector(ONE_SECOND_FIRST);
        assertThat(d.phi(B, 0)).isZero();
        assertThat(d.isAvailable(B, Long.MAX_VALUE)).isTrue();
        d.heartbeat(NodeId.of("c"), 0);
        d.heartbeat(B, 0);
        d.heartbeat(NodeId.of("a"), 0);
        assertThat(d.monitored()).containsExactly(NodeId.of("a"), B, NodeId.of("c"));
        assertThat(d.remove(B)).isTrue();
        assertThat(d.remove(B)).isFalse();
        assertThat(d.monitored()).containsExactly(NodeId.of("a"), NodeId.of("c"));
        assertThat(d.phi(B, 100 * S)).isZero();
        assertThatThrownBy(() -> d.monitored().add(B)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void configDefaultsAndValidation() {
        FailureDetectorConfig c = FailureDetectorConfig.DEFAULTS;
        assertThat(c.threshold()).isEqualTo(8.0);
        assertThat(c.windowSize()).isEqualTo(1000);
        assertThat(c.minStdDeviation()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.acceptablePause()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.firstHeartbeatEstimate()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.tickInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.pauseThreshold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.withAcceptablePause(Duration.ZERO).acceptablePause()).isZero();
        assertThat(c.withThreshold(12).threshold()).isEqualTo(12);

        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> c.withThreshold(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> c.withWindowSize(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withWindowSize(FailureDetectorConfig.MAX_WINDOW_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMinStdDeviation(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMinStdDeviation(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.withAcceptablePause(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withFirstHeartbeatEstimate(Duration.ofNanos(-5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withTicks(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withTicks(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withAcceptablePause(Duration.ofDays(365 * 200)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
