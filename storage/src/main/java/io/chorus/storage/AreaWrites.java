package io.chorus.storage;

import java.nio.ByteBuffer;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;

/** The writes of {@link KeyValueArea}s and of opening one. Stateless holder; each op is writer-thread only. */
final class AreaWrites {

    private AreaWrites() {
    }

    /** Stores a value, replacing any earlier one. */
    static final class Put extends WriteOp<Void> {
        private final Dbi<ByteBuffer> dbi;
        private final byte[] key;
        private final byte[] value;

        Put(Dbi<ByteBuffer> dbi, byte[] key, byte[] value) {
            this.dbi = dbi;
            this.key = key;
            this.value = value;
        }

        @Override
        Void apply(WriteContext ctx) {
            ctx.reserve(dbi, key, value.length).put(value);
            return null;
        }
    }

    /** Removes a key; the result says whether it was there. */
    static final class Delete extends WriteOp<Boolean> {
        private final Dbi<ByteBuffer> dbi;
        private final byte[] key;

        Delete(Dbi<ByteBuffer> dbi, byte[] key) {
            this.dbi = dbi;
            this.key = key;
        }

        @Override
        Boolean apply(WriteContext ctx) {
            return ctx.delete(dbi, key);
        }
    }

    /**
     * Opens (creating) a named database inside the writer's transaction. LMDB wants databases opened by one
     * transaction at a time and the handle is only valid for others once that transaction commits, which the
     * writer guarantees: the future completes after the commit.
     */
    static final class Open extends WriteOp<Dbi<ByteBuffer>> {
        private final Env<ByteBuffer> env;
        private final byte[] name;

        Open(Env<ByteBuffer> env, byte[] name) {
            this.env = env;
            this.name = name;
        }

        @Override
        Dbi<ByteBuffer> apply(WriteContext ctx) {
            ctx.markWritten();
            return env.openDbi(ctx.txn(), name, null, false, DbiFlags.MDB_CREATE);
        }
    }
}
