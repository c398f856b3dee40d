package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.transport.Message;
import java.util.List;

/**
 * AE_PUSH: {@code partition:varint count:varint (key:bytes set:siblingset)*count}, 1 to 1024 entries. The receiver
 * merges each set into its stored state of the key, as a REPLICA_PUT would (always stored, whatever the sibling and
 * size limits), and answers {@code merged:varint}, how many of the entries it merged (at most {@code count}) once
 * they are durable. Idempotent. Immutable.
 */
record AePush(int partition, List<AeEntry> entries) {

    AePush {
        AeFields.checkPartition(partition);
        entries = List.copyOf(entries);
        AeFields.checkCount("entry count", entries.size(), AeLimits.MAX_KEYS);
    }

    Message encode() {
        BodyWriter w = new BodyWriter(AeEntry.sizeHint(entries)).varint(partition);
        return Message.adopt(PeerOpcodes.AE_PUSH, AeEntry.write(w, entries).toArray());
    }

    static AePush decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int partition = PeerFields.partition(r);
        int count = AeFields.count(r, "entry count", AeLimits.MAX_KEYS, AeEntry.MIN_BYTES);
        List<AeEntry> entries = AeEntry.read(r, count, "set");
        r.expectEnd("AE_PUSH");
        return AeFields.construct("AE_PUSH", () -> new AePush(partition, entries));
    }

    /** The answer: how many of the pushed entries were merged. Immutable. */
    record Reply(int merged) {

        Reply {
            if (merged < 0 || merged > AeLimits.MAX_KEYS) {
                throw new IllegalArgumentException("merged = " + merged + " outside [0, " + AeLimits.MAX_KEYS + "]");
            }
        }

        Message encode() {
            return Message.adopt(PeerOpcodes.AE_PUSH, new BodyWriter(4).varint(merged).toArray());
        }

        /** Decodes the reply to {@code request}: at most as many merged as it pushed. */
        static Reply decode(byte[] body, AePush request) {
            ByteReader r = new ByteReader(body);
            int merged = (int) r.varlong("merged", 0, request.entries().size());
            r.expectEnd("AE_PUSH reply");
            return new Reply(merged);
        }
    }
}
