package io.chorus.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.chorus.core.NodeId;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.testkit.SimulationSeeds;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag(SimulationSeeds.TAG)
class RingCodecTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    /** Two members, "a" in zone "z", four partitions a b a b, version 300. */
    private static final Ring SMALL = Ring.of(300, List.of(Member.of("b"), Member.of("a", "z")), List.of(A, B, A, B));
    private static final String SMALL_HEX = "01" + "ac02" + "02" + "02" + "0161" + "017a" + "0162" + "00"
            + "00" + "01" + "00" + "01";

    @Test
    void theFormatIsPinned() {
        assertThat(HexFormat.of().formatHex(RingCodec.encode(SMALL))).isEqualTo(SMALL_HEX);
        assertThat(RingCodec.decode(HexFormat.of().parseHex(SMALL_HEX))).isEqualTo(SMALL);
    }

    @Test
    void ringsRoundTripAndEqualRingsHaveEqualBytes() {
        SimulationSeeds.forEachSeed(200, seed -> {
            Ring ring = randomRing(new Random(seed));
            byte[] bytes = RingCodec.encode(ring);
            Ring back = RingCodec.decode(bytes);
            assertThat(back).as("seed %d", seed).isEqualTo(ring);
            assertThat(back.members()).as("zones survive, seed %d", seed).isEqualTo(ring.members());
            assertThat(RingCodec.encode(back)).as("seed %d", seed).isEqualTo(bytes);
        });
    }

    @Test
    void decodingReadsPositionToLimitAndLeavesTheBufferAlone() {
        byte[] bytes = RingCodec.encode(SMALL);
        ByteBuffer framed = ByteBuffer.allocateDirect(bytes.length + 6);
        framed.put(new byte[] {9, 9, 9}).put(bytes).put(new byte[] {7, 7, 7});
        framed.position(3).limit(3 + bytes.length);
        assertThat(RingCodec.decode(framed)).isEqualTo(SMALL);
        assertThat(framed.position()).isEqualTo(3);
    }

    @Test
    void everyTruncationAndAnyTrailingByteIsRejected() {
        SimulationSeeds.forEachSeed(30, seed -> {
            Random rnd = new Random(seed);
            byte[] bytes = RingCodec.encode(randomRing(rnd));
            for (int len = 0; len < bytes.length; len++) {
                // Plain try/catch in the hot loop; AssertJ only to report a failure.
                try {
                    Ring decoded = RingCodec.decode(ByteBuffer.wrap(bytes, 0, len));
                    fail("prefix of %d of %d bytes decoded to %s, seed %d", len, bytes.length, decoded, seed);
                } catch (MalformedEncodingException expected) {
                    // every prefix must end here
                }
            }
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            longer[bytes.length] = (byte) rnd.nextInt(256);
            assertThatThrownBy(() -> RingCodec.decode(longer)).as("seed %d", seed)
                    .isInstanceOf(MalformedEncodingException.class);
        });
    }

    @Test
    void corruptBytesFailCleanlyOrDecodeToAValidRing() {
        SimulationSeeds.forEachSeed(3000, seed -> {
            Random rnd = new Random(seed);
            byte[] bytes = RingCodec.encode(randomRing(rnd));
            int flips = 1 + rnd.nextInt(3);
            for (int i = 0; i < flips; i++) {
                bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
            }
            Ring decoded;
            try {
                decoded = RingCodec.decode(bytes);
            } catch (MalformedEncodingException expected) {
                return;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e, e);
            }
            // Whatever decodes is a valid ring whose canonical form is exactly these bytes.
            if (!Arrays.equals(RingCodec.encode(decoded), bytes)) {
                fail("seed %d decoded to a ring that does not re-encode to its bytes: %s", seed, decoded);
            }
        });
    }

    @Test
    void randomGarbageFailsCleanly() {
        SimulationSeeds.forEachSeed(3000, seed -> {
            Random rnd = new Random(seed);
            byte[] garbage = new byte[rnd.nextInt(64)];
            rnd.nextBytes(garbage);
            if (garbage.length > 0 && rnd.nextBoolean()) {
                garbage[0] = RingCodec.FORMAT_V1;
            }
            try {
                RingCodec.decode(garbage);
            } catch (MalformedEncodingException expected) {
                // the common case
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e, e);
            }
        });
    }

    @Test
    void lyingCountsAndOutOfRangeFieldsAreRejectedWithoutAllocating() {
        String ringHead = "01" + "00";
        // A member count of 2^62 in a 16-byte input.
        assertMalformed(ringHead + "02" + "808080808080808040" + "0161" + "00", "cannot fit");
        // 65536 owners promised, 3 bytes left.
        assertMalformed(ringHead + "10" + "01" + "0161" + "00" + "000000", "ring owners: truncated");
        assertMalformed(ringHead + "02" + "00", "member count");
        assertMalformed(ringHead + "11" + "01" + "0161" + "00" + "00", "log2 partition count");
        assertMalformed("02" + SMALL_HEX.substring(2), "format 2");
        assertMalformed("", "truncated");
        // Owner index 2 with two members.
        assertMalformed(SMALL_HEX.substring(0, SMALL_HEX.length() - 2) + "02", "ring owner");
        // Members out of order ("b" before "a") and duplicated.
        assertMalformed(ringHead + "01" + "02" + "0162" + "00" + "0161" + "00" + "00" + "01", "increasing");
        assertMalformed(ringHead + "01" + "02" + "0161" + "00" + "0161" + "00" + "00" + "01", "increasing");
        // A member id with a space, and a zone with a newline.
        assertMalformed(ringHead + "00" + "01" + "026120" + "00" + "00", "member 0");
        assertMalformed(ringHead + "00" + "01" + "0161" + "010a" + "00", "member 0");
        // Invalid UTF-8 in an id.
        assertMalformed(ringHead + "00" + "01" + "01ff" + "00" + "00", "UTF-8");
        // Valid syntax, invalid ring: "b" owns nothing although S = 2 <= Q = 2.
        assertMalformed(ringHead + "01" + "02" + "0161" + "00" + "0162" + "00" + "00" + "00", "owns no partition");
        // Non-shortest varint for the version.
        assertMalformed("01" + "8000" + SMALL_HEX.substring(6), "shortest");
    }

    private static void assertMalformed(String hex, String messagePart) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThatThrownBy(() -> RingCodec.decode(bytes)).as(hex)
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining(messagePart);
    }

    private static Ring randomRing(Random rnd) {
        int q = RingFixtures.powerOfTwo(rnd, 0, 8);
        int s = 1 + rnd.nextInt(rnd.nextBoolean() ? 6 : 150);
        int zones = rnd.nextInt(4);
        Ring ring = s <= q && rnd.nextBoolean()
                ? RingFixtures.randomOwners(rnd, q, s, zones)
                : Claim.create(RingFixtures.members(rnd, s, zones), q);
        // Large versions exercise long varints.
        return rnd.nextBoolean() ? ring : Ring.of(rnd.nextLong() >>> 1 >>> rnd.nextInt(63), ring.members(),
                ownersOf(ring));
    }

    private static List<NodeId> ownersOf(Ring ring) {
        return IntStream.range(0, ring.partitionCount()).mapToObj(ring::owner).toList();
    }
}
