package io.chorus.core.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag(Seeds.TAG)
class CausalCodecTest {

    @Test
    void siblingSetsRoundTripAndTheSizeIsExact() {
        Seeds.forEach(500, seed -> {
            History h = new History(seed, 4, 3).run(30);
            for (SiblingSet s : h.reached) {
                byte[] bytes = CausalCodec.encode(s);
                assertThat(bytes).as("seed %d", seed).hasSize(CausalCodec.encodedSize(s));
                assertThat(CausalCodec.decode(bytes)).as("seed %d", seed).isEqualTo(s);
            }
        });
    }

    @Test
    void decodingReadsPositionToLimitAndLeavesTheBufferAlone() {
        SiblingSet s = new History(1, 2, 2).run(20).converged();
        byte[] bytes = CausalCodec.encode(s);
        ByteBuffer framed = ByteBuffer.allocateDirect(bytes.length + 6);
        framed.put(new byte[] {9, 9, 9}).put(bytes).put(new byte[] {7, 7, 7});
        framed.position(3).limit(3 + bytes.length);
        assertThat(CausalCodec.decode(framed)).isEqualTo(s);
        assertThat(framed.position()).isEqualTo(3);
    }

    @Test
    void contextsRoundTrip() {
        Seeds.forEach(500, seed -> {
            VersionVector v = VersionVectorTest.random(new Random(seed));
            byte[] bytes = CausalCodec.encodeContext(v);
            assertThat(bytes).hasSize(CausalCodec.contextSize(v));
            assertThat(CausalCodec.decodeContext(bytes)).as("seed %d", seed).isEqualTo(v);
        });
    }

    @Test
    void everyTruncationIsRejected() {
        Seeds.forEach(200, seed -> {
            SiblingSet s = new History(seed, 3, 3).run(25).converged();
            byte[] bytes = CausalCodec.encode(s);
            for (int len = 0; len < bytes.length; len++) {
                byte[] cut = Arrays.copyOf(bytes, len);
                assertThatThrownBy(() -> CausalCodec.decode(cut))
                        .as("prefix of %d of %d bytes, seed %d", len, bytes.length, seed)
                        .isInstanceOf(MalformedEncodingException.class);
            }
            byte[] ctx = CausalCodec.encodeContext(s.context());
            for (int len = 0; len < ctx.length; len++) {
                byte[] cut = Arrays.copyOf(ctx, len);
                assertThatThrownBy(() -> CausalCodec.decodeContext(cut))
                        .as("context prefix %d, seed %d", len, seed)
                        .isInstanceOf(MalformedEncodingException.class);
            }
        });
    }

    @Test
    void corruptedBytesEitherFailCleanlyOrDecodeToTheSameBytes() {
        Seeds.forEach(300, seed -> {
            Random rnd = new Random(seed);
            SiblingSet s = new History(seed, 3, 3).run(20).converged();
            byte[] bytes = CausalCodec.encode(s);
            for (int i = 0; i < 50; i++) {
                byte[] bad = bytes.clone();
                int flips = 1 + rnd.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
                }
                SiblingSet decoded;
                try {
                    decoded = CausalCodec.decode(bad);
                } catch (MalformedEncodingException expected) {
                    continue;
                }
                // The form is canonical: anything that decodes re-encodes to exactly its bytes.
                assertThat(CausalCodec.encode(decoded)).as("seed %d", seed).isEqualTo(bad);
            }
        });
    }

    @Test
    void trailingBytesUnknownFormatsAndLyingCountsAreRejected() {
        byte[] valid = CausalCodec.encode(SiblingSet.empty()
                .update(VersionVector.empty(), ActorId.of("a", 1), "v".getBytes(), 5));
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertThatThrownBy(() -> CausalCodec.decode(trailing)).hasMessageContaining("trailing");

        byte[] v2 = valid.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> CausalCodec.decode(v2)).hasMessageContaining("format 2");

        // format 1, then an actor count of 2^31 in 5 bytes: must fail on the count, not try to allocate.
        byte[] huge = {1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        assertThatThrownBy(() -> CausalCodec.decode(huge))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining("actor count");

        // a value length far beyond what is left
        byte[] bigValue = valid.clone();
        int lenAt = valid.length - 2; // ... kind(1) len(1) 'v'
        bigValue[lenAt] = 0x7F;
        assertThatThrownBy(() -> CausalCodec.decode(bigValue)).hasMessageContaining("truncated");
    }

    @Test
    void aSiblingWhoseActorIndexHasNoActorIsRejected() {
        // format 1, no actors, one sibling naming actor 0 ('n' counter 1, timestamp 0, tombstone): the bytes an
        // outside client sent in a REPLICA_PUT; the index bound was -1, which an unsigned compare let through.
        byte[] noActors = {1, 0, 1, 0, 1, 0, 0};
        assertThatThrownBy(() -> CausalCodec.decode(noActors)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("sibling actor index");
        byte[] oneActorIndexOne = CausalCodec.encode(SiblingSet.empty()
                .update(VersionVector.empty(), ActorId.of("a", 1), null, 0));
        // ... format, 1 actor ("a", epoch 1, counter 1), 1 sibling: its index byte follows the count
        int indexAt = 1 + 1 + 2 + 1 + 1 + 1;
        assertThat(oneActorIndexOne[indexAt]).isZero();
        oneActorIndexOne[indexAt] = 1;
        assertThatThrownBy(() -> CausalCodec.decode(oneActorIndexOne)).isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("sibling actor index");
    }

    @Test
    void equalSetsHaveEqualBytes() {
        ActorId a = ActorId.of("a", 1);
        ActorId b = ActorId.of("b", 1);
        SiblingSet x = SiblingSet.empty().update(VersionVector.empty(), a, "1".getBytes(), 1);
        SiblingSet y = SiblingSet.empty().update(VersionVector.empty(), b, "2".getBytes(), 2);
        assertThat(CausalCodec.encode(x.merge(y))).isEqualTo(CausalCodec.encode(y.merge(x)));
        assertThat(x.merge(y).siblings()).hasSize(2);
        assertThat(CausalCodec.encode(x)).isNotEqualTo(CausalCodec.encode(y));
    }

    /** Decoding reuses the actors it saw last at each clock position; a changed epoch or name is never lost. */
    @Test
    void actorsThatDifferFromTheLastDecodedOnesAreReadAsTheyAre() {
        Random random = new Random(11);
        String[] names = {"node-1", "node-2", "nöde-3", "node-10"};
        for (int round = 0; round < 2_000; round++) {
            Map<ActorId, Long> entries = new HashMap<>();
            for (String name : names) {
                if (random.nextBoolean()) {
                    entries.put(ActorId.of(name, random.nextInt(3)), 1L + random.nextInt(5));
                }
            }
            VersionVector context = VersionVector.of(entries);
            SiblingSet s = SiblingSet.empty().update(context, ActorId.of(names[random.nextInt(4)], random.nextInt(3)),
                    new byte[] {(byte) round}, round);
            SiblingSet decoded = CausalCodec.decode(CausalCodec.encode(s));
            assertThat(decoded).as("round %d", round).isEqualTo(s);
            assertThat(decoded.context().actors()).as("round %d", round).isEqualTo(s.context().actors());
        }
    }
}
