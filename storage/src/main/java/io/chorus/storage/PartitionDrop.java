package io.chorus.storage;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;

/**
 * Deletes a partition's key range a chunk at a time: each run deletes up to {@link #CHUNK} keys in the current
 * batch and, if it may not be done, queues itself again. One huge transaction could exceed LMDB's dirty-page
 * limit and would hold the writer (and every other write) for its whole length. Writer thread only.
 */
final class PartitionDrop extends WriteOp<Void> {

    static final int CHUNK = 4096;

    private final Dbi<ByteBuffer> dbi;
    private final byte[] prefix;
    private final Consumer<WriteOp<?>> requeue;
    private final Runnable emptied;
    private int deleted;

    /** @param emptied runs on the writer thread once the last chunk committed, before the future completes */
    PartitionDrop(Dbi<ByteBuffer> dbi, byte[] prefix, Consumer<WriteOp<?>> requeue, Runnable emptied) {
        this.dbi = dbi;
        this.prefix = prefix;
        this.requeue = requeue;
        this.emptied = emptied;
    }

    @Override
    Void apply(WriteContext ctx) {
        deleted = 0;
        try (Cursor<ByteBuffer> c = ctx.openCursor(dbi)) {
            // Re-seek after each delete: simple, and LMDB's cursor position after a delete has subtle edge cases.
            while (deleted < CHUNK && c.get(ctx.key(prefix), GetOp.MDB_SET_RANGE)
                    && StoreKeys.startsWith(c.key(), prefix)) {
                c.delete();
                deleted++;
            }
        }
        return null;
    }

    @Override
    void onCommitted(Void value) {
        if (deleted == CHUNK) {
            requeue.accept(this);
        } else {
            emptied.run();
            future.complete(null);
        }
    }
}
