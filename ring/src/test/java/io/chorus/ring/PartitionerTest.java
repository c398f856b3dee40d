package io.chorus.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import io.chorus.testkit.SimulationSeeds;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag(SimulationSeeds.TAG)
class PartitionerTest {

    @Test
    void partitionIsTheTopBitsOfTheFirst64BitsOfMurmur3() {
        SimulationSeeds.forEachSeed(20, seed -> {
            Random rnd = new Random(seed);
            byte[] key = new byte[rnd.nextInt(40)];
            rnd.nextBytes(key);
            long h = Hashing.murmur3_128().hashBytes(key).asLong();
            assertThat(Partitioner.hash(key)).as("seed %d", seed).isEqualTo(h);
            for (int log = 1; log <= 16; log++) {
                assertThat(Partitioner.of(1 << log).partitionOf(key)).as("seed %d, Q=2^%d", seed, log)
                        .isEqualTo((int) (h >>> (64 - log)));
            }
        });
    }

    @Test
    void partitionsOfKnownKeysNeverChange() {
        // Partition placement is part of the stored-data contract: these must hold across releases.
        // Murmur3 x64 128 of "hello" is cbd8a7b341bd9b02 5b1e906a48ae1d19 (the reference test vector).
        Partitioner q256 = Partitioner.of(256);
        assertThat(Partitioner.hash(utf8("hello"))).isEqualTo(0xCBD8A7B341BD9B02L);
        assertThat(q256.partitionOf(utf8("hello"))).isEqualTo(0xCB);
        assertThat(Partitioner.of(4096).partitionOf(utf8("hello"))).isEqualTo(0xCBD);
        assertThat(q256.partitionOf(utf8(""))).isZero();
    }

    @Test
    void oneOrTheMaximumNumberOfPartitionsWork() {
        Partitioner one = Partitioner.of(1);
        Partitioner max = Partitioner.of(Partitioner.MAX_PARTITIONS);
        for (long h : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x8000_0000_0000_0001L}) {
            assertThat(one.partitionOfHash(h)).as("hash %x", h).isZero();
            assertThat(max.partitionOfHash(h)).as("hash %x", h).isEqualTo((int) (h >>> 48));
        }
    }

    @Test
    void eachPartitionIsOneContiguousArcOfTheHashRing() {
        for (int log = 0; log <= 16; log++) {
            Partitioner part = Partitioner.of(1 << log);
            int shift = 64 - log;
            for (long i : new long[] {0, 1, (1L << log) / 2, (1L << log) - 1}) {
                if (i >= (1L << log)) {
                    continue;
                }
                long first = log == 0 ? 0 : i << shift;
                long last = log == 0 ? -1 : first + ((1L << shift) - 1);
                assertThat(part.partitionOfHash(first)).as("Q=2^%d, start of arc %d", log, i).isEqualTo((int) i);
                assertThat(part.partitionOfHash(last)).as("Q=2^%d, end of arc %d", log, i).isEqualTo((int) i);
            }
        }
        SimulationSeeds.forEachSeed(50, seed -> {
            Random rnd = new Random(seed);
            Partitioner part = Partitioner.of(RingFixtures.powerOfTwo(rnd, 0, 16));
            long a = rnd.nextLong();
            long b = rnd.nextLong();
            long lo = Long.compareUnsigned(a, b) <= 0 ? a : b;
            long hi = lo == a ? b : a;
            assertThat(part.partitionOfHash(lo)).as("seed %d", seed).isLessThanOrEqualTo(part.partitionOfHash(hi));
        });
    }

    @Test
    void partitionsAreInRangeAndRoughlyUniform() {
        SimulationSeeds.forEachSeed(3, seed -> {
            Random rnd = new Random(seed);
            int q = 256;
            Partitioner part = Partitioner.of(q);
            int keys = 256_000;
            int[] counts = new int[q];
            for (int i = 0; i < keys; i++) {
                // Sequential, similar keys: the realistic worst case for a weak hash.
                int p = part.partitionOf(utf8("user:" + rnd.nextInt(1000) + ":" + i));
                assertThat(p).isBetween(0, q - 1);
                counts[p]++;
            }
            double expected = (double) keys / q;
            double chi2 = 0;
            for (int c : counts) {
                chi2 += (c - expected) * (c - expected) / expected;
            }
            // 255 degrees of freedom: mean 255, sd ~22.6; 400 is > 6 sd out.
            assertThat(chi2).as("chi-square over %d partitions, seed %d", q, seed).isLessThan(400);
        });
    }

    @Test
    void partitionCountMustBeAPowerOfTwoInRange() {
        for (int bad : new int[] {0, -1, -256, 3, 6, 100, 255, 65_537, 131_072, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> Partitioner.of(bad)).as("Q=%d", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        }
        assertThat(Partitioner.of(Partitioner.DEFAULT_PARTITIONS).partitionCount()).isEqualTo(256);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
