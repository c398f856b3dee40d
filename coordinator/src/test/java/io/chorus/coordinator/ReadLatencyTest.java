package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.testkit.SimulationSeeds;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The speculative delay's estimator and policy, on a hand-driven clock. */
@Tag(SimulationSeeds.TAG)
class ReadLatencyTest {

    private static final long MS = 1_000_000;

    @Test
    void bucketsCoverEveryValueAndErrLongByLessThanAQuarterOctave() {
        for (long micros : new long[] {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 1_000, 1_023, 1_024, 123_456, 1L << 31}) {
            int b = ReadLatency.bucket(micros);
            assertThat(ReadLatency.upperBoundMicros(b)).as("%d µs", micros).isGreaterThan(micros)
                    .isLessThanOrEqualTo(Math.max(micros + 1, micros * 5 / 4 + 1));
            if (b > 0) {
                assertThat(ReadLatency.upperBoundMicros(b - 1)).isLessThanOrEqualTo(micros + 1);
            }
        }
    }

    @Test
    void percentilesFollowRandomSamplesWithinABucket() {
        SimulationSeeds.forEachSeed(50, seed -> {
            Random random = new Random(seed);
            ReadLatency latency = new ReadLatency();
            long[] samples = new long[200 + random.nextInt(800)];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = (1 + random.nextInt(50_000)) * 1_000L;
                latency.record(samples[i], 0);
            }
            Arrays.sort(samples);
            for (double p : new double[] {50, 90, 99}) {
                long exact = samples[(int) Math.ceil(samples.length * p / 100) - 1];
                long estimate = latency.percentileNanos(p, 0);
                assertThat(estimate).as("p%s of %d samples (seed %d)", p, samples.length, seed)
                        .isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(exact * 5 / 4 + 1_000);
            }
        });
    }

    @Test
    void tooFewSamplesAreUnknownAndOldOnesFade() {
        ReadLatency latency = new ReadLatency();
        for (int i = 0; i < 19; i++) {
            latency.record(2 * MS, 0);
        }
        assertThat(latency.percentileNanos(99, 0)).isEqualTo(-1);
        latency.record(2 * MS, 0);
        assertThat(latency.percentileNanos(99, 0)).isBetween(2 * MS, 3 * MS);
        // A slow spell, then a minute of fast reads: the spell's share has halved six times, below 1%.
        for (int i = 0; i < 100; i++) {
            latency.record(400 * MS, 1 * MS);
        }
        assertThat(latency.percentileNanos(99, 1 * MS)).isGreaterThan(300 * MS);
        for (int s = 1; s <= 60; s++) {
            for (int i = 0; i < 50; i++) {
                latency.record(2 * MS, s * 1_000 * MS);
            }
        }
        assertThat(latency.percentileNanos(99, 60_000 * MS)).isLessThan(3 * MS);
    }

    @Test
    void thePolicyFloorsCapsAndStartsColdAtHalfTheReplicaTimeout() {
        assertThat(SpeculativeRetry.OFF.delayMillis(5 * MS, 500)).isEqualTo(-1);
        assertThat(SpeculativeRetry.fixed(30).delayMillis(-1, 500)).isEqualTo(30);
        assertThat(SpeculativeRetry.P99.delayMillis(-1, 500)).isEqualTo(250);
        assertThat(SpeculativeRetry.P99.delayMillis(10_000, 500)).isEqualTo(SpeculativeRetry.FLOOR_MILLIS);
        assertThat(SpeculativeRetry.P99.delayMillis(12 * MS + 1, 500)).isEqualTo(13);
        assertThat(SpeculativeRetry.P99.delayMillis(2_000 * MS, 500)).isEqualTo(500);
        assertThat(SpeculativeRetry.P99).hasToString("p99");
        assertThat(SpeculativeRetry.percentile(99.9)).hasToString("p99.9");
        assertThat(SpeculativeRetry.fixed(20)).hasToString("20ms");
        assertThat(SpeculativeRetry.OFF).hasToString("off");
        assertThatThrownBy(() -> SpeculativeRetry.fixed(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpeculativeRetry.percentile(100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpeculativeRetry.percentile(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
