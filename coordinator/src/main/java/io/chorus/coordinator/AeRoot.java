package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.transport.Message;

/**
 * AE_ROOT: {@code partition:varint ringVersion:varint}, the asker's ring version. The receiver answers the root of
 * its hash tree of the partition: {@code status:u8 bits:varint keyCount:varint root:fixed64}, the tree's resolution
 * (0..24), the keys it covers and its root hash; a status other than OK carries zeros. The first step of an
 * anti-entropy exchange: equal roots at equal resolution end it. Immutable.
 */
record AeRoot(int partition, long ringVersion) {

    AeRoot {
        AeFields.checkPartition(partition);
        AeFields.checkNonNegative("ringVersion", ringVersion);
    }

    Message encode() {
        return Message.adopt(PeerOpcodes.AE_ROOT, new BodyWriter(16).varint(partition).varint(ringVersion).toArray());
    }

    static AeRoot decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int partition = PeerFields.partition(r);
        long ringVersion = AeFields.ringVersion(r);
        r.expectEnd("AE_ROOT");
        return AeFields.construct("AE_ROOT", () -> new AeRoot(partition, ringVersion));
    }

    /** The answer: the tree's resolution, key count and root hash, or zeros with a status other than OK. */
    record Reply(AeStatus status, int bits, long keyCount, long root) {

        Reply {
            AeFields.checkBits("bits", bits, 0);
            AeFields.checkNonNegative("keyCount", keyCount);
            AeFields.checkEmptyUnlessOk(status, bits == 0 && keyCount == 0 && root == 0);
        }

        /** A reply that only says {@code status} (one other than OK: the receiver does not answer). */
        static Reply of(AeStatus status) {
            return new Reply(status, 0, 0, 0);
        }

        Message encode() {
            BodyWriter w = new BodyWriter(24);
            status.write(w);
            return Message.adopt(PeerOpcodes.AE_ROOT, w.varint(bits).varint(keyCount).fixed64(root).toArray());
        }

        static Reply decode(byte[] body) {
            ByteReader r = new ByteReader(body);
            AeStatus status = AeStatus.read(r);
            int bits = AeFields.bits(r, "bits", 0);
            long keyCount = r.varlong("keyCount", 0, Long.MAX_VALUE);
            long root = r.fixed64("root");
            r.expectEnd("AE_ROOT reply");
            return AeFields.construct("AE_ROOT reply", () -> new Reply(status, bits, keyCount, root));
        }
    }
}
