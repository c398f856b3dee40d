package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.ByteReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A key and a sibling set, as the anti-entropy messages carry them: {@code key:bytes set:siblingset}. In an AE_KEYS
 * reply the set is the key's causal summary; in AE_FETCH replies and AE_PUSH requests it is the key's whole stored
 * set (the empty set for a key not held). Sets are bounded by the frame only, as in REPLICA_PUT. Immutable by
 * convention: the key array is not copied (package-internal message).
 */
record AeEntry(byte[] key, SiblingSet set) {

    /** Smallest encoded entry: a 1-byte key and the empty set ({@code 01 00 00}), each with its length. */
    static final int MIN_BYTES = AeFields.MIN_KEY_BYTES + 4;

    AeEntry {
        AeFields.checkKey(key);
        if (set == null) {
            throw new IllegalArgumentException("set must be given (the empty set for a key not held)");
        }
    }

    static List<AeEntry> read(ByteReader r, int count, String what) {
        List<AeEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(new AeEntry(PeerFields.key(r), PeerFields.siblingSet(r, what)));
        }
        return entries;
    }

    /** {@code count:varint} then the entries. */
    static BodyWriter write(BodyWriter w, List<AeEntry> entries) {
        w.varint(entries.size());
        for (AeEntry e : entries) {
            PeerFields.siblingSet(w.bytes(e.key), e.set);
        }
        return w;
    }

    /** A first buffer size for a body holding {@code entries}: keys and small sets (the writer grows for more). */
    static int sizeHint(List<AeEntry> entries) {
        int size = 16;
        for (AeEntry e : entries) {
            size += e.key.length + 64;
        }
        return size;
    }
}
