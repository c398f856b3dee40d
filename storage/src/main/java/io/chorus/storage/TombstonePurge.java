package io.chorus.storage;

import java.nio.ByteBuffer;
import org.lmdbjava.Dbi;

/**
 * Deletes a key whose stored state is still exactly the tombstone-only state the caller established on every
 * replica (by its entry hash): a write that arrived since changes the hash and keeps the key. Writer thread only.
 */
final class TombstonePurge extends WriteOp<Boolean> {

    private final Dbi<ByteBuffer> dbi;
    private final byte[] storedKey;
    private final byte[] key;
    private final long expectedHash;
    private final HashTree tree;
    private boolean purged;

    TombstonePurge(Dbi<ByteBuffer> dbi, byte[] storedKey, long expectedHash, HashTree tree) {
        this.dbi = dbi;
        this.storedKey = storedKey;
        this.key = StoreKeys.userKey(storedKey);
        this.expectedHash = expectedHash;
        this.tree = tree;
    }

    @Override
    Boolean apply(WriteContext ctx) {
        purged = false;
        ByteBuffer stored = ctx.get(dbi, storedKey);
        if (stored == null || KeyHash.entryHash(key, stored) != expectedHash
                || !StoredSets.decode(stored, storedKey).isDeleted()) {
            return false;
        }
        ctx.delete(dbi, storedKey);
        purged = true;
        return true;
    }

    @Override
    void onCommitted(Boolean value) {
        if (purged) {
            tree.apply(storedKey, expectedHash, 0, true, false, false);
        }
        super.onCommitted(value);
    }
}
