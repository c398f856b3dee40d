package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;

/**
 * AE_HASHES: {@code partition:varint bits:varint parentBits:varint count:varint parent:varint*count}. Asks for the
 * hashes of the children of {@code count} nodes of the receiver's hash tree of the partition. A tree node at
 * resolution {@code r} with index {@code i} covers the keys whose 32-bit segment hash has {@code i} as its top
 * {@code r} bits; the leaves are at resolution {@code bits}, the one both sides compare at. The parents are at
 * {@code parentBits} (below {@code bits}), strictly ascending, each below {@code 2^parentBits}; their children are at
 * {@link #childBits()} = {@code min(parentBits + 4, bits)}, {@link #fanout()} of them each (at most 16).
 *
 * <p>The reply is {@code status:u8}, then, only when OK, {@code fanout() * count} hashes as {@code fixed64}: parent
 * by parent, each parent's children in index order. Its length follows from the request, so
 * {@link Reply#decode(byte[], AeHashes)} takes it. A receiver whose tree is at another resolution than
 * {@code bits} answers RESOLUTION.
 *
 * <p>Immutable by convention: the parents array is not copied (package-internal message).
 */
record AeHashes(int partition, int bits, int parentBits, int[] parents) {

    AeHashes {
        AeFields.checkPartition(partition);
        AeFields.checkBits("bits", bits, 1);
        if (parentBits < 0 || parentBits >= bits) {
            throw new IllegalArgumentException("parentBits = " + parentBits + " outside [0, bits = " + bits + ")");
        }
        AeFields.checkAscending("parent index", parents, parentBits, AeLimits.MAX_PARENTS);
    }

    /** The resolution of the children asked for: {@code min(parentBits + 4, bits)}. */
    int childBits() {
        return Math.min(parentBits + AeLimits.FANOUT_BITS, bits);
    }

    /** Children per parent: {@code 2^(childBits - parentBits)}, 2 to 16. */
    int fanout() {
        return 1 << (childBits() - parentBits);
    }

    /** The hashes an OK reply holds: {@code fanout() * parents.length}. */
    int childCount() {
        return fanout() * parents.length;
    }

    /** The index at {@link #childBits()} of child {@code c} of parent {@code parents[p]}. */
    int child(int p, int c) {
        return (parents[p] << (childBits() - parentBits)) | c;
    }

    Message encode() {
        BodyWriter w = new BodyWriter(8 + parents.length * 3).varint(partition).varint(bits).varint(parentBits);
        return Message.adopt(PeerOpcodes.AE_HASHES, AeFields.indexes(w, parents).toArray());
    }

    static AeHashes decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int partition = PeerFields.partition(r);
        int bits = AeFields.bits(r, "bits", 1);
        int parentBits = (int) r.varlong("parentBits", 0, bits - 1);
        int count = AeFields.count(r, "parent count", AeLimits.MAX_PARENTS, 1);
        int[] parents = AeFields.ascending(r, "parent index", count, parentBits);
        r.expectEnd("AE_HASHES");
        return AeFields.construct("AE_HASHES", () -> new AeHashes(partition, bits, parentBits, parents));
    }

    /**
     * The answer: with OK, the children's hashes, parent by parent ({@code hashes[p * fanout() + c]} is child
     * {@code c} of parent {@code p}); otherwise none. Immutable by convention: the array is not copied.
     */
    record Reply(AeStatus status, long[] hashes) {

        Reply {
            AeFields.checkEmptyUnlessOk(status, hashes.length == 0);
        }

        /** A reply that only says {@code status} (one other than OK). */
        static Reply of(AeStatus status) {
            return new Reply(status, new long[0]);
        }

        Message encode() {
            BodyWriter w = new BodyWriter(1 + hashes.length * AeFields.HASH_BYTES);
            status.write(w);
            for (long hash : hashes) {
                w.fixed64(hash);
            }
            return Message.adopt(PeerOpcodes.AE_HASHES, w.toArray());
        }

        /** Decodes the reply to {@code request}: with OK it must hold exactly {@code request.childCount()} hashes. */
        static Reply decode(byte[] body, AeHashes request) {
            ByteReader r = new ByteReader(body);
            AeStatus status = AeStatus.read(r);
            int count = status == AeStatus.OK ? request.childCount() : 0;
            if (r.remaining() != count * AeFields.HASH_BYTES) {
                throw new MalformedEncodingException("AE_HASHES reply: " + r.remaining() + " bytes after the status,"
                        + " expected " + count + " hashes of 8 bytes");
            }
            long[] hashes = new long[count];
            for (int i = 0; i < count; i++) {
                hashes[i] = r.fixed64("hash");
            }
            return new Reply(status, hashes);
        }
    }
}
