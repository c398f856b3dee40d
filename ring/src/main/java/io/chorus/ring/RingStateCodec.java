package io.chorus.ring;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The binary form of a {@link RingState}, as gossiped and stored in a node's data directory.
 *
 * <pre>
 * state   = format:u8(=1) version:varint author:str replicas:varint
 *           fromLen:varint from:ring settled:u8 [toLen:varint to:ring doneLen:varint done:bytes]
 *           removedCount:varint removed:str*         strictly increasing
 * str     = len:varint utf8
 * </pre>
 *
 * A settled state carries its ring once. {@code done} is the little-endian bit set of finished partitions
 * (java.util.BitSet#toByteArray), at most Q/8 bytes. Canonical, so equal states have equal bytes. Stateless.
 */
public final class RingStateCodec {

    public static final int FORMAT_V1 = 1;
    private static final int MAX_RING_BYTES = 64 << 20;

    private RingStateCodec() {
    }

    public static byte[] encode(RingState s) {
        byte[] author = s.author().name().getBytes(StandardCharsets.UTF_8);
        byte[] from = RingCodec.encode(s.from());
        byte[] to = s.settled() ? null : RingCodec.encode(s.to());
        byte[] done = s.settled() ? null : s.doneBits().toByteArray();
        byte[][] removed = s.removed().stream().map(n -> n.name().getBytes(StandardCharsets.UTF_8))
                .toArray(byte[][]::new);
        int size = 1 + Varint.size(s.version()) + str(author) + Varint.size(s.replicas()) + str(from) + 1;
        if (to != null) {
            size += str(to) + str(done);
        }
        size += Varint.size(removed.length);
        for (byte[] r : removed) {
            size += str(r);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) FORMAT_V1);
        Varint.write(out, s.version());
        put(out, author);
        Varint.write(out, s.replicas());
        put(out, from);
        out.put((byte) (to == null ? 1 : 0));
        if (to != null) {
            put(out, to);
            put(out, done);
        }
        Varint.write(out, removed.length);
        for (byte[] r : removed) {
            put(out, r);
        }
        return out.array();
    }

    public static RingState decode(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        int format = r.u8("ring state format");
        if (format != FORMAT_V1) {
            throw new MalformedEncodingException("ring state format " + format + " is not supported (expected "
                    + FORMAT_V1 + ")");
        }
        long version = r.varlong("ring state version", 1, Long.MAX_VALUE);
        NodeId author = nodeId(r, "ring state author");
        int replicas = (int) r.varlong("ring state replicas", 1, Ring.MAX_MEMBERS);
        Ring from = RingCodec.decode(r.bytes("ring state from", MAX_RING_BYTES));
        int settled = r.u8("ring state settled flag");
        Ring to = from;
        BitSet done = new BitSet();
        if (settled == 0) {
            to = RingCodec.decode(r.bytes("ring state to", MAX_RING_BYTES));
            byte[] bits = r.bytes("ring state done", Math.max(1, to.partitionCount() / 8));
            if (bits.length > 0 && bits[bits.length - 1] == 0) {
                throw new MalformedEncodingException("ring state done: trailing zero byte (not canonical)");
            }
            done = BitSet.valueOf(bits);
        } else if (settled != 1) {
            throw new MalformedEncodingException("ring state settled flag " + settled + " is not 0 or 1");
        }
        int count = r.count("ring state removed count", 2);
        SortedSet<NodeId> removed = new TreeSet<>();
        NodeId last = null;
        for (int i = 0; i < count; i++) {
            NodeId n = nodeId(r, "ring state removed node");
            if (last != null && last.compareTo(n) >= 0) {
                throw new MalformedEncodingException("ring state removed nodes not strictly increasing at " + i);
            }
            removed.add(n);
            last = n;
        }
        r.expectEnd("ring state");
        try {
            RingState s = new RingState(version, author, replicas, from, to, done, removed);
            if (settled == 0 && s.settled()) {
                throw new MalformedEncodingException("ring state: a settled state written as moving");
            }
            return s;
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException("ring state: " + e.getMessage());
        }
    }

    private static NodeId nodeId(ByteReader r, String what) {
        String name = r.utf8(what, NodeId.MAX_UTF8_LENGTH);
        try {
            return NodeId.of(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(what + ": " + e.getMessage());
        }
    }

    private static int str(byte[] b) {
        return Varint.size(b.length) + b.length;
    }

    private static void put(ByteBuffer out, byte[] b) {
        Varint.write(out, b.length);
        out.put(b);
    }
}
