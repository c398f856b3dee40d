package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import java.util.List;

/**
 * AE_STABLE: {@code partition:varint ringVersion:varint count:varint key:bytes*count}, 1 to 1024 keys, asked by
 * tombstone collection before it purges them. The reply is {@code status:u8 pendingHints:varint count:varint
 * hash:fixed64*count}: the hints the receiver holds in all (for any owner; a hint may carry a newer write of a
 * key), then, with OK, one entry hash per requested key in the request's order (0 for a key not held). A receiver
 * whose ring is not at {@code ringVersion} answers RING_DIFFERS; a status other than OK carries zeros and no
 * hashes. Immutable by convention: the key arrays are not copied (package-internal message).
 */
record AeStable(int partition, long ringVersion, List<byte[]> keys) {

    AeStable {
        AeFields.checkPartition(partition);
        AeFields.checkNonNegative("ringVersion", ringVersion);
        keys = List.copyOf(keys);
        AeFields.checkKeys(keys);
    }

    Message encode() {
        BodyWriter w = new BodyWriter(AeFields.keysSize(keys) + 12).varint(partition).varint(ringVersion);
        return Message.adopt(PeerOpcodes.AE_STABLE, AeFields.keys(w, keys).toArray());
    }

    static AeStable decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int partition = PeerFields.partition(r);
        long ringVersion = AeFields.ringVersion(r);
        int count = AeFields.count(r, "key count", AeLimits.MAX_KEYS, AeFields.MIN_KEY_BYTES);
        List<byte[]> keys = AeFields.keys(r, count);
        r.expectEnd("AE_STABLE");
        return AeFields.construct("AE_STABLE", () -> new AeStable(partition, ringVersion, keys));
    }

    /**
     * The answer: the receiver's hint count and, with OK, {@code hashes[i]} the entry hash of the request's key
     * {@code i} (0: not held); otherwise zero hints and no hashes. Immutable by convention: the array is not copied.
     */
    record Reply(AeStatus status, long pendingHints, long[] hashes) {

        Reply {
            AeFields.checkNonNegative("pendingHints", pendingHints);
            if (hashes.length > AeLimits.MAX_KEYS) {
                throw new IllegalArgumentException(hashes.length + " hashes, over " + AeLimits.MAX_KEYS);
            }
            AeFields.checkEmptyUnlessOk(status, pendingHints == 0 && hashes.length == 0);
        }

        /** A reply that only says {@code status} (one other than OK). */
        static Reply of(AeStatus status) {
            return new Reply(status, 0, new long[0]);
        }

        Message encode() {
            BodyWriter w = new BodyWriter(16 + hashes.length * AeFields.HASH_BYTES);
            status.write(w);
            w.varint(pendingHints).varint(hashes.length);
            for (long hash : hashes) {
                w.fixed64(hash);
            }
            return Message.adopt(PeerOpcodes.AE_STABLE, w.toArray());
        }

        /** Decodes the reply to {@code request}: with OK, exactly one hash per requested key. */
        static Reply decode(byte[] body, AeStable request) {
            ByteReader r = new ByteReader(body);
            AeStatus status = AeStatus.read(r);
            long pendingHints = r.varlong("pendingHints", 0, Long.MAX_VALUE);
            int expected = status == AeStatus.OK ? request.keys().size() : 0;
            int count = r.count("hash count", AeFields.HASH_BYTES);
            if (count != expected) {
                throw new MalformedEncodingException("AE_STABLE reply: " + count + " hashes for " + expected
                        + " keys (status " + status + ")");
            }
            long[] hashes = new long[count];
            for (int i = 0; i < count; i++) {
                hashes[i] = r.fixed64("hash");
            }
            r.expectEnd("AE_STABLE reply");
            return AeFields.construct("AE_STABLE reply", () -> new Reply(status, pendingHints, hashes));
        }
    }
}
