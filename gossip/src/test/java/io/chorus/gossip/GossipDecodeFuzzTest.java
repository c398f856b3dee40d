package io.chorus.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.error.MalformedEncodingException;
import io.chorus.testkit.SimulationSeeds;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded random garbage and mutations of valid encodings through every gossip decoder: a decoder may only reject
 * with {@link MalformedEncodingException} (anything else fails the test), and what it accepts encodes back to the
 * same bytes (each value has one encoding). Mutations (flipped bits, bytes set, inserted, deleted, cut, a
 * lying length) keep most of a valid structure, so they reach deep into the decoders where pure noise would be
 * rejected at the first byte.
 */
@Tag(SimulationSeeds.TAG)
class GossipDecodeFuzzTest {

    private record Decoder(String name, Function<byte[], byte[]> reencode, byte[] sample) {
    }

    private static final List<Decoder> DECODERS = List.of(
            new Decoder("node state", b -> NodeStateCodec.encode(NodeStateCodec.decode(b)),
                    NodeStateCodec.encode(GossipSamples.busy())),
            new Decoder("SYN", b -> GossipSyn.decode(b).encode().body(), GossipSamples.syn().encode().body()),
            new Decoder("ACK", b -> GossipAck.decode(b).encode().body(), GossipSamples.ack().encode().body()),
            new Decoder("ACK2", b -> GossipAck2.decode(b).encode().body(), GossipSamples.ack2().encode().body()));

    @Test
    void garbageIsMalformedOrDecodesCanonically() {
        SimulationSeeds.forEachSeed(5, seed -> {
            Random random = new Random(seed);
            int accepted = 0;
            for (int i = 0; i < 5_000; i++) {
                Decoder d = DECODERS.get(random.nextInt(DECODERS.size()));
                byte[] input = i % 10 == 0 ? noise(random) : mutate(d.sample(), random);
                byte[] back;
                try {
                    back = d.reencode().apply(input);
                } catch (MalformedEncodingException rejected) {
                    continue;
                }
                accepted++;
                assertThat(back).as("%s %s", d.name(), HexFormat.of().formatHex(input)).isEqualTo(input);
            }
            // Some mutations (a changed version, a flipped letter) are valid values: the canonical check ran.
            assertThat(accepted).as("inputs accepted").isPositive();
        });
    }

    private static byte[] noise(Random random) {
        byte[] b = new byte[random.nextInt(64)];
        random.nextBytes(b);
        return b;
    }

    private static byte[] mutate(byte[] sample, Random random) {
        byte[] b = sample.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> {
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(b, at, longer, at + 1, b.length - at);
                    b = longer;
                }
                case 3 -> {
                    byte[] shorter = new byte[b.length - 1];
                    System.arraycopy(b, 0, shorter, 0, at);
                    System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
                    b = shorter;
                }
                case 4 -> b = Arrays.copyOf(b, at);
                default -> b[at] = (byte) (0x80 | random.nextInt(128)); // a varint that claims to go on
            }
        }
        return b;
    }
}
