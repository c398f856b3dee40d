package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.storage.StorageEngine;
import java.util.List;

/**
 * AE_KEYS: {@code partition:varint bits:varint maxBytes:varint resumeAfter:bytes count:varint segment:varint*count}.
 * Asks for the keys, each with its causal summary, of {@code count} leaf segments of the partition at resolution
 * {@code bits} (1..24; the segments strictly ascending, each below {@code 2^bits}), in the receiver's order, from
 * just after key {@code resumeAfter} (empty: from the start of the first segment), for a reply of about
 * {@code maxBytes} (1 byte to 4 MiB).
 *
 * <p>The reply is {@code status:u8 truncated:u8 count:varint (key:bytes summary:siblingset)*count}; {@code truncated}
 * is 1 when the reply stopped at {@code maxBytes} before the end of the last segment (the asker resumes after the
 * last key it got). A status other than OK carries {@code truncated = 0} and no entries. Any resolution can be
 * listed: stored keys are ordered by segment hash, so a segment is one range of the store whatever the receiver's
 * tree.
 *
 * <p>Immutable by convention: arrays are not copied (package-internal message).
 */
record AeKeys(int partition, int bits, int maxBytes, byte[] resumeAfter, int[] segments) {

    AeKeys {
        AeFields.checkPartition(partition);
        AeFields.checkBits("bits", bits, 1);
        if (maxBytes < 1 || maxBytes > AeLimits.MAX_REPLY_BYTES) {
            throw new IllegalArgumentException("maxBytes = " + maxBytes + " outside [1, " + AeLimits.MAX_REPLY_BYTES
                    + "]");
        }
        if (resumeAfter.length > StorageEngine.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("resumeAfter is a key: at most " + StorageEngine.MAX_KEY_LENGTH
                    + " bytes, not " + resumeAfter.length);
        }
        AeFields.checkAscending("segment index", segments, bits, AeLimits.MAX_SEGMENTS);
    }

    /** Whether the reply starts at the first segment's start rather than after a key. */
    boolean fromStart() {
        return resumeAfter.length == 0;
    }

    Message encode() {
        BodyWriter w = new BodyWriter(16 + resumeAfter.length + segments.length * 4).varint(partition).varint(bits)
                .varint(maxBytes).bytes(resumeAfter);
        return Message.adopt(PeerOpcodes.AE_KEYS, AeFields.indexes(w, segments).toArray());
    }

    static AeKeys decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int partition = PeerFields.partition(r);
        int bits = AeFields.bits(r, "bits", 1);
        int maxBytes = (int) r.varlong("maxBytes", 1, AeLimits.MAX_REPLY_BYTES);
        byte[] resumeAfter = r.bytes("resumeAfter", StorageEngine.MAX_KEY_LENGTH);
        int count = AeFields.count(r, "segment count", AeLimits.MAX_SEGMENTS, 1);
        int[] segments = AeFields.ascending(r, "segment index", count, bits);
        r.expectEnd("AE_KEYS");
        return AeFields.construct("AE_KEYS", () -> new AeKeys(partition, bits, maxBytes, resumeAfter, segments));
    }

    /**
     * The answer: the keys and summaries found, in the receiver's order, and whether it stopped early; with a status
     * other than OK, nothing. Immutable.
     */
    record Reply(AeStatus status, boolean truncated, List<AeEntry> entries) {

        Reply {
            entries = List.copyOf(entries);
            AeFields.checkEmptyUnlessOk(status, !truncated && entries.isEmpty());
        }

        /** A reply that only says {@code status} (one other than OK). */
        static Reply of(AeStatus status) {
            return new Reply(status, false, List.of());
        }

        Message encode() {
            BodyWriter w = new BodyWriter(AeEntry.sizeHint(entries));
            status.write(w);
            w.u8(truncated ? 1 : 0);
            return Message.adopt(PeerOpcodes.AE_KEYS, AeEntry.write(w, entries).toArray());
        }

        static Reply decode(byte[] body) {
            ByteReader r = new ByteReader(body);
            AeStatus status = AeStatus.read(r);
            int truncated = r.u8("truncated");
            if (truncated > 1) {
                throw new MalformedEncodingException("AE_KEYS reply: truncated = " + truncated + ", not 0 or 1");
            }
            int count = r.count("entry count", AeEntry.MIN_BYTES);
            List<AeEntry> entries = AeEntry.read(r, count, "summary");
            r.expectEnd("AE_KEYS reply");
            return AeFields.construct("AE_KEYS reply", () -> new Reply(status, truncated == 1, entries));
        }
    }
}
