package io.chorus.gossip;

import static io.chorus.gossip.GossipSamples.A;
import static io.chorus.gossip.GossipSamples.B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Round trips, a byte fixture, and strict rejection of truncated, padded and non-canonical gossip encodings. */
class GossipCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aNodeStateHasThisExactEncoding() {
        NodeState s = new NodeState(A, 2, 300, NodeStatus.UP, "z", "h:1", "h:2", 4, -2, bits(1, 8),
                new TreeSet<>(List.of(B)), 0);
        // id "a", generation 2, version 300 (0xac 0x02), UP = 2, zone "z", "h:1", "h:2", ring version 4, handoff -2
        // (a hash: fixed 64 bits),
        // received {1, 8} as little-endian bytes 0x02 0x01, one removal "b", commit token 0.
        assertThat(HEX.formatHex(NodeStateCodec.encode(s)))
                .isEqualTo("0161" + "02" + "ac02" + "02" + "017a" + "03683a31" + "03683a32" + "04" + "fffffffffffffffe"
                        + "020201" + "01" + "0162" + "00");
        assertThat(NodeStateCodec.decode(NodeStateCodec.encode(s))).isEqualTo(s);
    }

    @Test
    void nodeStatesRoundTripWithEveryStatusAndField() {
        for (NodeStatus status : List.of(NodeStatus.JOINING, NodeStatus.UP, NodeStatus.LEAVING, NodeStatus.REMOVED)) {
            NodeState s = GossipSamples.busy().withStatus(status);
            assertThat(NodeStateCodec.decode(NodeStateCodec.encode(s))).isEqualTo(s);
        }
        NodeState start = GossipSamples.starting(A);
        assertThat(NodeStateCodec.decode(NodeStateCodec.encode(start))).isEqualTo(start);
        NodeState max = new NodeState(A, Long.MAX_VALUE, Long.MAX_VALUE, NodeStatus.UP, "", "", "", Long.MAX_VALUE,
                Long.MAX_VALUE, bits(65_535), new TreeSet<>(), Long.MIN_VALUE);
        assertThat(NodeStateCodec.decode(NodeStateCodec.encode(max))).isEqualTo(max);
    }

    @Test
    void messagesRoundTrip() {
        assertThat(GossipSyn.decode(body(GossipSamples.syn().encode()))).isEqualTo(GossipSamples.syn());
        GossipSyn bare = new GossipSyn("", null, List.of());
        assertThat(GossipSyn.decode(body(bare.encode()))).isEqualTo(bare);
        assertThat(GossipAck.decode(body(GossipSamples.ack().encode()))).isEqualTo(GossipSamples.ack());
        GossipAck empty = new GossipAck(List.of(), List.of(), List.of(), null, false);
        assertThat(body(empty.encode())).containsExactly(0, 0, 0, 0);
        assertThat(GossipAck2.decode(body(GossipSamples.ack2().encode()))).isEqualTo(GossipSamples.ack2());
        assertThat(GossipSamples.syn().encode().opcode()).isEqualTo(GossipOpcodes.GOSSIP_SYN);
        assertThat(GossipSamples.ack2().encode().opcode()).isEqualTo(GossipOpcodes.GOSSIP_ACK2);
    }

    @Test
    void theAgentsOwnSynEncoderWritesWhatTheRecordWrites() {
        GossipSyn syn = GossipSamples.syn();
        assertThat(GossipSyn.encode(syn.cluster(), syn.ring(), syn.digests())).isEqualTo(syn.encode());
    }

    @Test
    void everyTruncationAndEveryTrailingByteIsRejected() {
        assertStrict(NodeStateCodec.encode(GossipSamples.busy()), NodeStateCodec::decode);
        assertStrict(body(GossipSamples.syn().encode()), GossipSyn::decode);
        assertStrict(body(GossipSamples.ack().encode()), GossipAck::decode);
        assertStrict(body(GossipSamples.ack2().encode()), GossipAck2::decode);
    }

    @Test
    void nonCanonicalNodeStatesAreRejected() {
        byte[] good = NodeStateCodec.encode(GossipSamples.starting(A));
        // 01 61 | 01 (generation) ...: the generation written in two bytes, 0x81 0x00.
        byte[] padded = splice(good, 2, 1, (byte) 0x81, (byte) 0x00);
        assertMalformed(padded, NodeStateCodec::decode, "shortest");

        NodeState withBits = new NodeState(A, 1, 1, NodeStatus.UP, "", "", "", 0, 0, bits(3), new TreeSet<>(), 0);
        byte[] b = NodeStateCodec.encode(withBits);
        // received = 01 08: write it as 02 08 00, a trailing zero byte.
        int at = indexOf(b, (byte) 0x01, (byte) 0x08);
        assertMalformed(splice(b, at, 2, (byte) 0x02, (byte) 0x08, (byte) 0x00), NodeStateCodec::decode,
                "trailing zero");

        NodeState removals = new NodeState(A, 1, 1, NodeStatus.UP, "", "", "", 0, 0, new BitSet(),
                new TreeSet<>(List.of(A, B)), 0);
        byte[] r = NodeStateCodec.encode(removals);
        int ra = indexOf(r, (byte) 0x02, (byte) 0x01, (byte) 'a', (byte) 0x01, (byte) 'b');
        byte[] swapped = splice(r, ra, 5, (byte) 0x02, (byte) 0x01, (byte) 'b', (byte) 0x01, (byte) 'a');
        assertMalformed(swapped, NodeStateCodec::decode, "increasing");
        byte[] twice = splice(r, ra, 5, (byte) 0x02, (byte) 0x01, (byte) 'a', (byte) 0x01, (byte) 'a');
        assertMalformed(twice, NodeStateCodec::decode, "increasing");

        // The status byte (after id, generation, version): 0 and 5 name no status, and DOWN has no code.
        for (byte status : new byte[] {0, 5, (byte) 0xff}) {
            assertMalformed(splice(good, 4, 1, status), NodeStateCodec::decode, "status");
        }
        assertMalformed(splice(good, 1, 1, (byte) ' '), NodeStateCodec::decode, "whitespace");
    }

    @Test
    void nonCanonicalMessagesAreRejected() {
        Message twiceA = new GossipSyn("c", null, List.of(new Digest(B, 1, 1, 1))).encode();
        byte[] syn = body(twiceA);
        // cluster "c" (01 63), no ring (00), one digest "b": make the count 2 and repeat it, or put "a" after "b".
        byte[] digest = Arrays.copyOfRange(syn, 4, syn.length);
        byte[] repeated = concat(new byte[] {1, 'c', 0, 2}, digest, digest);
        assertMalformed(repeated, GossipSyn::decode, "increasing");
        byte[] descending = concat(new byte[] {1, 'c', 0, 2}, digest, new byte[] {1, 'a', 1, 1, 0});
        assertMalformed(descending, GossipSyn::decode, "increasing");
        assertMalformed(new byte[] {1, 'c', 2, 0}, GossipSyn::decode, "ring flag");
        // A content age past the version: content version below 0.
        assertMalformed(new byte[] {1, 'c', 0, 1, 1, 'b', 1, 1, 2}, GossipSyn::decode, "content age");

        assertMalformed(new byte[] {4, 0, 0, 0}, GossipAck::decode, "ring flags");
        assertMalformed(new byte[] {0, 0, 0, 0, 0}, GossipAck::decode, "trailing");
        assertMalformed(new byte[] {0, 2, 0, 0}, GossipAck2::decode, "ring flag");

        // A sent state whose content version is past its version.
        byte[] state = NodeStateCodec.encode(GossipSamples.starting(A));
        assertMalformed(concat(new byte[] {0, 1}, state, new byte[] {2, 0, 0}), GossipAck::decode, "content version");
        assertThat(GossipAck.decode(concat(new byte[] {0, 1}, state, new byte[] {1, 0, 0})).states())
                .containsExactly(new SentState(GossipSamples.starting(A), 1));
    }

    @Test
    void encodersRefuseWhatDecodersWouldReject() {
        assertThatThrownBy(() -> new GossipSyn("c", null, List.of(new Digest(B, 1, 1, 1), new Digest(A, 1, 1, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("increasing");
        assertThatThrownBy(() -> new GossipSyn("x".repeat(256), null, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster name");
        assertThatThrownBy(() -> new GossipSyn("\ud800", null, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unicode");
        assertThatThrownBy(() -> new Digest(A, 1, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SentState(GossipSamples.starting(A), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeStateCodec.statusCode(NodeStatus.DOWN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static void assertStrict(byte[] good, Function<byte[], ?> decoder) {
        decoder.apply(good);
        for (int len = 0; len < good.length; len++) {
            assertMalformed(Arrays.copyOf(good, len), decoder, "");
        }
        assertMalformed(Arrays.copyOf(good, good.length + 1), decoder, "trailing");
    }

    static void assertMalformed(byte[] bytes, Function<byte[], ?> decoder, String message) {
        assertThatThrownBy(() -> decoder.apply(bytes)).as(HEX.formatHex(bytes))
                .isInstanceOf(MalformedEncodingException.class).hasMessageContaining(message);
    }

    static byte[] body(Message m) {
        return m.body();
    }

    private static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }

    private static byte[] splice(byte[] in, int at, int remove, byte... insert) {
        return concat(Arrays.copyOf(in, at), insert, Arrays.copyOfRange(in, at + remove, in.length));
    }

    private static int indexOf(byte[] in, byte... what) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(in, i, i + what.length), what)) {
                return i;
            }
        }
        throw new AssertionError("not found: " + HEX.formatHex(what) + " in " + HEX.formatHex(in));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @SuppressWarnings("unused")
    private static NodeId id(String s) {
        return NodeId.of(s);
    }
}
