package io.chorus.core.causal;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of causal contexts and sibling sets: the same bytes on disk and on the wire.
 *
 * <pre>
 * context     = format:u8(=1) actors
 * sibling set = format:u8(=1) actors siblingCount:varint sibling*
 * actors      = count:varint ( nodeLen:varint nodeUtf8 epoch:varint counter:varint )*   strictly increasing
 * sibling     = actorIndex:varint counter:varint timestamp:varint kind:u8 ( 0 = tombstone
 *                                                                        | 1 = value: len:varint bytes )
 * </pre>
 *
 * Actors appear once, in the context; siblings name them by index, so a key written by one node costs a few bytes
 * of causality. The form is canonical (sorted, shortest varints, no trailing bytes), so equal values have equal
 * bytes, which the Merkle trees of anti-entropy rely on. Decoding rejects anything else with a
 * {@link MalformedEncodingException}; it never allocates more than the input could hold. Stateless.
 */
public final class CausalCodec {

    public static final int FORMAT_V1 = 1;

    private static final int KIND_TOMBSTONE = 0;
    private static final int KIND_VALUE = 1;
    /** Smallest encodings, for bounding counts: an actor is len+1 byte name+epoch+counter, a sibling 4 bytes. */
    private static final int MIN_ACTOR_BYTES = 4;
    private static final int MIN_SIBLING_BYTES = 4;

    /**
     * The actor each decoding thread last read at each position of a clock (mod {@value #RECENT}). A cluster has
     * few actors and every stored value names them again, so most are the one last seen there: reusing it skips a
     * string decode and three allocations per actor. Values are immutable, so a stale entry is only a miss.
     */
    private static final int RECENT = 8;
    private static final ThreadLocal<ActorId[]> RECENT_ACTORS = ThreadLocal.withInitial(() -> new ActorId[RECENT]);

    private CausalCodec() {
    }

    // ---- contexts ---------------------------------------------------------------------------------------

    public static int contextSize(VersionVector vv) {
        return 1 + actorsSize(vv);
    }

    public static byte[] encodeContext(VersionVector vv) {
        ByteBuffer out = ByteBuffer.allocate(contextSize(vv));
        out.put((byte) FORMAT_V1);
        writeActors(out, vv);
        return out.array();
    }

    public static VersionVector decodeContext(byte[] bytes) {
        return decodeContext(ByteBuffer.wrap(bytes));
    }

    /** Decodes exactly the bytes from position to limit of {@code in}; its position is not moved. */
    public static VersionVector decodeContext(ByteBuffer in) {
        ByteReader r = new ByteReader(in);
        readFormat(r, "context");
        VersionVector vv = readActors(r);
        r.expectEnd("context");
        return vv;
    }

    // ---- sibling sets -----------------------------------------------------------------------------------

    public static int encodedSize(SiblingSet set) {
        VersionVector clock = set.context();
        int size = 1 + actorsSize(clock) + Varint.size(set.size());
        for (Sibling s : set.siblings()) {
            size += Varint.size(actorIndex(clock, s.dot().actor())) + Varint.size(s.dot().counter())
                    + Varint.size(s.timestamp()) + 1;
            if (!s.isTombstone()) {
                size += Varint.size(s.valueLength()) + s.valueLength();
            }
        }
        return size;
    }

    public static byte[] encode(SiblingSet set) {
        ByteBuffer out = ByteBuffer.allocate(encodedSize(set));
        encode(set, out);
        return out.array();
    }

    /** Writes {@link #encodedSize} bytes at {@code out}'s position, advancing it. */
    public static void encode(SiblingSet set, ByteBuffer out) {
        VersionVector clock = set.context();
        out.put((byte) FORMAT_V1);
        writeActors(out, clock);
        Varint.write(out, set.size());
        for (Sibling s : set.siblings()) {
            Varint.write(out, actorIndex(clock, s.dot().actor()));
            Varint.write(out, s.dot().counter());
            Varint.write(out, s.timestamp());
            if (s.isTombstone()) {
                out.put((byte) KIND_TOMBSTONE);
            } else {
                out.put((byte) KIND_VALUE);
                Varint.write(out, s.valueLength());
                out.put(s.rawValue());
            }
        }
    }

    public static SiblingSet decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /** Decodes exactly the bytes from position to limit of {@code in}; its position is not moved. */
    public static SiblingSet decode(ByteBuffer in) {
        ByteReader r = new ByteReader(in);
        readFormat(r, "sibling set");
        VersionVector clock = readActors(r);
        int n = r.count("sibling count", MIN_SIBLING_BYTES);
        Sibling[] siblings = new Sibling[n];
        for (int i = 0; i < n; i++) {
            int index = r.index("sibling actor index", clock.size());
            ActorId actor = clock.actor(index);
            long counter = r.varlong("sibling counter", 1, clock.counter(index));
            long timestamp = r.varlong("sibling timestamp", 0, Long.MAX_VALUE);
            int kind = r.u8("sibling kind");
            byte[] value;
            if (kind == KIND_VALUE) {
                value = r.bytes("sibling value", Integer.MAX_VALUE);
            } else if (kind == KIND_TOMBSTONE) {
                value = null;
            } else {
                throw new MalformedEncodingException("sibling kind " + kind + " is neither value nor tombstone");
            }
            siblings[i] = Sibling.adopt(new Dot(actor, counter), value, timestamp);
            if (i > 0 && siblings[i - 1].compareTo(siblings[i]) >= 0) {
                throw new MalformedEncodingException("siblings not in strictly increasing dot order at " + i);
            }
        }
        r.expectEnd("sibling set");
        // Order was checked above and each counter against its actor's clock entry: the invariants hold.
        return SiblingSet.trusted(clock, siblings);
    }

    // ---- shared parts -----------------------------------------------------------------------------------

    private static void readFormat(ByteReader r, String what) {
        int format = r.u8(what + " format");
        if (format != FORMAT_V1) {
            throw new MalformedEncodingException(what + " format " + format + " is not supported (expected "
                    + FORMAT_V1 + ")");
        }
    }

    private static int actorsSize(VersionVector vv) {
        int size = Varint.size(vv.size());
        for (int i = 0; i < vv.size(); i++) {
            int nameLen = utf8Length(vv.actor(i).node().name());
            size += Varint.size(nameLen) + nameLen + Varint.size(vv.actor(i).epoch()) + Varint.size(vv.counter(i));
        }
        return size;
    }

    private static void writeActors(ByteBuffer out, VersionVector vv) {
        Varint.write(out, vv.size());
        for (int i = 0; i < vv.size(); i++) {
            String name = vv.actor(i).node().name();
            int utf8 = utf8Length(name);
            Varint.write(out, utf8);
            if (utf8 == name.length()) {
                // ASCII, as node ids nearly always are: written as they are, without an encoded copy.
                for (int c = 0; c < utf8; c++) {
                    out.put((byte) name.charAt(c));
                }
            } else {
                out.put(name.getBytes(StandardCharsets.UTF_8));
            }
            Varint.write(out, vv.actor(i).epoch());
            Varint.write(out, vv.counter(i));
        }
    }

    private static VersionVector readActors(ByteReader r) {
        int n = r.count("actor count", MIN_ACTOR_BYTES);
        ActorId[] actors = new ActorId[n];
        long[] counters = new long[n];
        ActorId[] recent = RECENT_ACTORS.get();
        for (int i = 0; i < n; i++) {
            ActorId last = recent[i & (RECENT - 1)];
            String name = r.utf8("actor node", NodeId.MAX_UTF8_LENGTH, last == null ? null : last.node().name());
            long epoch = r.varlong("actor epoch", 0, Long.MAX_VALUE);
            counters[i] = r.varlong("actor counter", 1, Long.MAX_VALUE);
            if (last != null && name == last.node().name() && epoch == last.epoch()) {
                actors[i] = last;
            } else {
                try {
                    actors[i] = new ActorId(new NodeId(name), epoch);
                } catch (IllegalArgumentException e) {
                    throw new MalformedEncodingException("actor " + i + ": " + e.getMessage());
                }
                recent[i & (RECENT - 1)] = actors[i];
            }
            if (i > 0 && actors[i - 1].compareTo(actors[i]) >= 0) {
                throw new MalformedEncodingException("actors not in strictly increasing order at " + i);
            }
        }
        // Strict order was checked above, and every counter is >= 1 by its bounds.
        return VersionVector.trusted(actors, counters);
    }

    private static int actorIndex(VersionVector clock, ActorId actor) {
        int i = clock.indexOf(actor);
        if (i < 0) {
            throw new IllegalStateException("sibling actor " + actor + " missing from clock " + clock);
        }
        return i;
    }

    private static int utf8Length(String s) {
        int len = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                len++;
            } else if (c < 0x800) {
                len += 2;
            } else if (Character.isHighSurrogate(c)) {
                len += 4;
                i++;
            } else {
                len += 3;
            }
        }
        return len;
    }
}
