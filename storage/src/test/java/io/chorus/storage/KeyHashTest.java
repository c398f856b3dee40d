package io.chorus.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import io.chorus.testkit.SimulationSeeds;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The allocation-free entry hash is exactly Guava's Murmur3 x64 128 (the definition docs/protocol.md gives). */
@Tag(SimulationSeeds.TAG)
class KeyHashTest {

    @Test
    void theEntryHashIsGuavasMurmur3OverLengthKeyAndSet() {
        SimulationSeeds.forEachSeed(20, seed -> {
            Random rnd = new Random(seed);
            for (int i = 0; i < 500; i++) {
                byte[] key = new byte[1 + rnd.nextInt(i % 10 == 0 ? StorageEngine.MAX_KEY_LENGTH : 40)];
                rnd.nextBytes(key);
                byte[] set = new byte[rnd.nextInt(i % 7 == 0 ? 2000 : 64)];
                rnd.nextBytes(set);
                int offset = rnd.nextInt(9);
                ByteBuffer direct = ByteBuffer.allocateDirect(offset + set.length + 3);
                direct.position(offset);
                direct.put(set).flip().position(offset);
                long expected = Hashing.murmur3_128(KeyHash.ENTRY_SEED).newHasher().putInt(key.length).putBytes(key)
                        .putBytes(set).hash().asLong();
                assertThat(KeyHash.entryHash(key, ByteBuffer.wrap(set))).isEqualTo(expected);
                assertThat(KeyHash.entryHash(key, direct)).isEqualTo(expected);
                assertThat(direct.position()).as("the buffer is not moved").isEqualTo(offset);
                assertThat(KeyHash.entryHash(key, set)).isEqualTo(expected);
            }
        });
    }
}
