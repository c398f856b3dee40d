package io.chorus.storage;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;

/**
 * One chunk of a tree rebuild: reads the next keys of the partition after the tree's cursor inside the writer's
 * transaction (so it is ordered with every write, see {@link HashTree}) and hands them to the tree once the batch
 * is over. Writes nothing. Writer thread only.
 */
final class TreeRebuildStep extends WriteOp<StorageEngine.RebuildProgress> {

    private final Dbi<ByteBuffer> dbi;
    private final HashTree tree;
    private final byte[] prefix;
    private final int maxKeys;
    private final List<HashTree.Scanned> chunk = new ArrayList<>();
    private boolean end;
    private HashTree.RebuildPosition from;

    TreeRebuildStep(Dbi<ByteBuffer> dbi, HashTree tree, int maxKeys) {
        this.dbi = dbi;
        this.tree = tree;
        this.prefix = StoreKeys.prefix(tree.partition());
        this.maxKeys = maxKeys;
    }

    @Override
    StorageEngine.RebuildProgress apply(WriteContext ctx) {
        chunk.clear();
        HashTree.RebuildPosition at = tree.rebuildPosition();
        from = at;
        end = false;
        if (at.blocked()) {
            return null; // a drop runs: nothing to scan until it ends
        }
        try (Cursor<ByteBuffer> c = ctx.openReadCursor(dbi)) {
            boolean found;
            if (at.after() != null) {
                found = c.get(ctx.key(at.after()), GetOp.MDB_SET_RANGE);
                if (found && c.key().remaining() == at.after().length && StoreKeys.startsWith(c.key(), at.after())) {
                    found = c.next();
                }
            } else {
                found = c.get(ctx.key(prefix), GetOp.MDB_SET_RANGE);
            }
            while (found && StoreKeys.startsWith(c.key(), prefix) && chunk.size() < maxKeys) {
                byte[] storedKey = StoreKeys.copy(c.key(), 0);
                ByteBuffer value = c.val();
                long hash = KeyHash.entryHash(StoreKeys.userKey(storedKey), value);
                chunk.add(new HashTree.Scanned(storedKey, hash, tombstoneOnly(value, storedKey)));
                found = c.next();
            }
            end = !found || !StoreKeys.startsWith(c.key(), prefix);
        }
        return null;
    }

    private static boolean tombstoneOnly(ByteBuffer value, byte[] storedKey) {
        try {
            SiblingSet set = StoredSets.decode(value, storedKey);
            return set.isDeleted();
        } catch (ChorusException e) {
            return false; // damaged bytes still count in the tree by their hash; never collected
        }
    }

    @Override
    void onCommitted(StorageEngine.RebuildProgress ignored) {
        boolean done = tree.addChunk(from, chunk, end);
        future.complete(new StorageEngine.RebuildProgress(chunk.size(), done));
    }
}
