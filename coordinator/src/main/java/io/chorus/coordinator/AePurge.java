package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.transport.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * AE_PURGE: {@code partition:varint ringVersion:varint count:varint (key:bytes expectedHash:fixed64)*count}, 1 to
 * 1024 entries, sent by tombstone collection once every replica holds the same tombstones. The receiver removes
 * each key whose stored entry still hashes to {@code expectedHash} (a key written since is kept) and answers
 * {@code status:u8 purged:varint}, how many it removed (at most {@code count}) once that is durable. A receiver
 * whose ring is not at {@code ringVersion} answers RING_DIFFERS and removes nothing; a status other than OK carries
 * {@code purged = 0}. Immutable.
 */
record AePurge(int partition, long ringVersion, List<Entry> entries) {

    /** Smallest encoded entry: a 1-byte key with its length, and the hash. */
    private static final int MIN_ENTRY_BYTES = AeFields.MIN_KEY_BYTES + AeFields.HASH_BYTES;

    AePurge {
        AeFields.checkPartition(partition);
        AeFields.checkNonNegative("ringVersion", ringVersion);
        entries = List.copyOf(entries);
        AeFields.checkCount("entry count", entries.size(), AeLimits.MAX_KEYS);
    }

    /**
     * A key to remove if its stored entry hashes to {@code expectedHash}. Immutable by convention: the key array is
     * not copied.
     */
    record Entry(byte[] key, long expectedHash) {

        Entry {
            AeFields.checkKey(key);
        }
    }

    Message encode() {
        BodyWriter w = new BodyWriter(16 + entries.size() * 16).varint(partition).varint(ringVersion)
                .varint(entries.size());
        for (Entry e : entries) {
            w.bytes(e.key()).fixed64(e.expectedHash());
        }
        return Message.adopt(PeerOpcodes.AE_PURGE, w.toArray());
    }

    static AePurge decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int partition = PeerFields.partition(r);
        long ringVersion = AeFields.ringVersion(r);
        int count = AeFields.count(r, "entry count", AeLimits.MAX_KEYS, MIN_ENTRY_BYTES);
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(new Entry(PeerFields.key(r), r.fixed64("expectedHash")));
        }
        r.expectEnd("AE_PURGE");
        return AeFields.construct("AE_PURGE", () -> new AePurge(partition, ringVersion, entries));
    }

    /** The answer: how many keys were removed; with a status other than OK, none. Immutable. */
    record Reply(AeStatus status, int purged) {

        Reply {
            if (purged < 0 || purged > AeLimits.MAX_KEYS) {
                throw new IllegalArgumentException("purged = " + purged + " outside [0, " + AeLimits.MAX_KEYS + "]");
            }
            AeFields.checkEmptyUnlessOk(status, purged == 0);
        }

        /** A reply that only says {@code status} (one other than OK). */
        static Reply of(AeStatus status) {
            return new Reply(status, 0);
        }

        Message encode() {
            BodyWriter w = new BodyWriter(8);
            status.write(w);
            return Message.adopt(PeerOpcodes.AE_PURGE, w.varint(purged).toArray());
        }

        /** Decodes the reply to {@code request}: at most as many purged as it named. */
        static Reply decode(byte[] body, AePurge request) {
            ByteReader r = new ByteReader(body);
            AeStatus status = AeStatus.read(r);
            int purged = (int) r.varlong("purged", 0, request.entries().size());
            r.expectEnd("AE_PURGE reply");
            return AeFields.construct("AE_PURGE reply", () -> new Reply(status, purged));
        }
    }
}
