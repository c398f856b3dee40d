package io.chorus.ring;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a ring, as gossiped and stored.
 *
 * <pre>
 * ring   = format:u8(=1) version:varint log2Q:u8(0..16) memberCount:varint member* owner{Q}
 * member = idLen:varint idUtf8 zoneLen:varint zoneUtf8        strictly increasing by id
 * owner  = memberIndex:varint                                 one per partition, in partition order
 * </pre>
 *
 * Q travels as its logarithm, so a non-power-of-two cannot even be written. Owners name members by index: with up
 * to 128 members a partition costs one byte. The form is canonical (sorted members, shortest varints, no trailing
 * bytes), so equal rings have equal bytes. Decoding checks every count against the bytes left before allocating,
 * then runs the same validation as {@link Ring#of}; anything wrong is a {@link MalformedEncodingException}.
 * Stateless and thread-safe.
 */
public final class RingCodec {

    public static final int FORMAT_V1 = 1;

    /** A member is at least an id length, a one-byte id and a zone length. */
    private static final int MIN_MEMBER_BYTES = 3;
    private static final int MAX_LOG2_Q = Integer.numberOfTrailingZeros(Partitioner.MAX_PARTITIONS);

    private RingCodec() {
    }

    public static byte[] encode(Ring ring) {
        List<byte[]> names = new ArrayList<>(ring.size() * 2);
        int size = 1 + Varint.size(ring.version()) + 1 + Varint.size(ring.size());
        for (Member m : ring.members()) {
            byte[] id = m.id().name().getBytes(StandardCharsets.UTF_8);
            byte[] zone = m.zone().getBytes(StandardCharsets.UTF_8);
            names.add(id);
            names.add(zone);
            size += Varint.size(id.length) + id.length + Varint.size(zone.length) + zone.length;
        }
        for (int p = 0; p < ring.partitionCount(); p++) {
            size += Varint.size(ring.ownerIndex(p));
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) FORMAT_V1);
        Varint.write(out, ring.version());
        out.put((byte) Integer.numberOfTrailingZeros(ring.partitionCount()));
        Varint.write(out, ring.size());
        for (byte[] name : names) {
            Varint.write(out, name.length);
            out.put(name);
        }
        for (int p = 0; p < ring.partitionCount(); p++) {
            Varint.write(out, ring.ownerIndex(p));
        }
        return out.array();
    }

    public static Ring decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /** Decodes exactly the bytes from position to limit of {@code in}; its position is not moved. */
    public static Ring decode(ByteBuffer in) {
        ByteReader r = new ByteReader(in);
        int format = r.u8("ring format");
        if (format != FORMAT_V1) {
            throw new MalformedEncodingException("ring format " + format + " is not supported (expected "
                    + FORMAT_V1 + ")");
        }
        long version = r.varlong("ring version", 0, Long.MAX_VALUE);
        int log2q = r.u8("ring log2 partition count");
        if (log2q > MAX_LOG2_Q) {
            throw new MalformedEncodingException("ring log2 partition count " + log2q + " over " + MAX_LOG2_Q);
        }
        int q = 1 << log2q;
        int s = r.count("ring member count", MIN_MEMBER_BYTES);
        if (s < 1 || s > Ring.MAX_MEMBERS) {
            throw new MalformedEncodingException("ring member count " + s + " outside [1, " + Ring.MAX_MEMBERS + "]");
        }
        List<Member> members = new ArrayList<>(s);
        for (int i = 0; i < s; i++) {
            String id = r.utf8("ring member id", NodeId.MAX_UTF8_LENGTH);
            String zone = r.utf8("ring member zone", Member.MAX_ZONE_UTF8_LENGTH);
            Member m;
            try {
                m = new Member(new NodeId(id), zone);
            } catch (IllegalArgumentException e) {
                throw new MalformedEncodingException("ring member " + i + ": " + e.getMessage());
            }
            if (i > 0 && members.get(i - 1).id().compareTo(m.id()) >= 0) {
                throw new MalformedEncodingException("ring members not in strictly increasing id order at " + i);
            }
            members.add(m);
        }
        if (r.remaining() < q) {
            throw new MalformedEncodingException("ring owners: truncated, need at least " + q + " bytes, have "
                    + r.remaining());
        }
        int[] owners = new int[q];
        for (int p = 0; p < q; p++) {
            owners[p] = r.index("ring owner", s);
        }
        r.expectEnd("ring");
        try {
            return Ring.ofIndexes(version, members, owners);
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException("ring: " + e.getMessage());
        }
    }
}
