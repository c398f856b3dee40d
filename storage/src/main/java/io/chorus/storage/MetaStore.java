package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * The environment's own metadata: the on-disk format version and the actor epoch. Both are written once, in the
 * transaction that first finds them missing, so a directory keeps its epoch for life and a wiped one (no meta
 * database) gets a fresh one. Also the token of the {@link TreeFile}: written at a clean close once the file is
 * saved, deleted at open before any write, so a valid token says no write was committed since the trees were
 * saved. Used at open before the writer starts and at close after it stopped. Stateless.
 */
final class MetaStore {

    static final String DB_NAME = "chorus.meta";
    /** 2: data keys carry their segment hash after the partition (anti-entropy); 1 had none. */
    static final int FORMAT = 2;

    private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EPOCH_KEY = "epoch".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NUDGE_KEY = "nudge".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TREE_TOKEN_KEY = "tree-file-token".getBytes(StandardCharsets.US_ASCII);

    private MetaStore() {
    }

    /** The epoch, and whether this open created the directory's metadata (a new, empty store). */
    record Opened(long epoch, boolean created) {
    }

    /**
     * Reads the epoch, creating format and epoch on first open.
     *
     * @param newEpoch a source of fresh non-negative random epochs
     */
    static Opened loadOrCreateEpoch(Env<ByteBuffer> env, Dbi<ByteBuffer> meta, LongSupplier newEpoch) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer format = meta.get(txn, direct(FORMAT_KEY));
            if (format != null) {
                int version = format.remaining() == 4 ? format.getInt(0) : -1;
                if (version != FORMAT) {
                    throw new ChorusException(ErrorCode.CORRUPT, "storage format " + version + " is not supported"
                            + " (expected " + FORMAT + ")" + (version == 1 ? ": the directory was written by an"
                            + " earlier version of Chorus, whose keys had no segment hash; wipe it and let"
                            + " anti-entropy rebuild it from its replicas" : ""));
                }
                ByteBuffer epoch = meta.get(txn, direct(EPOCH_KEY));
                if (epoch == null || epoch.remaining() != 8 || epoch.getLong(0) < 0) {
                    throw new ChorusException(ErrorCode.CORRUPT, "the meta database has no valid epoch");
                }
                return new Opened(epoch.getLong(0), false);
            }
            long epoch = newEpoch.getAsLong();
            if (epoch < 0) {
                throw new IllegalStateException("epoch source returned a negative epoch " + epoch);
            }
            meta.put(txn, direct(FORMAT_KEY), ByteBuffer.allocateDirect(4).putInt(0, FORMAT));
            meta.put(txn, direct(EPOCH_KEY), ByteBuffer.allocateDirect(8).putLong(0, epoch));
            txn.commit();
            return new Opened(epoch, true);
        }
    }

    /**
     * Replaces the epoch of an existing store with {@code epoch}, committed: for a store that is a copy
     * ({@link RestoreMarker}). Before the writer starts.
     */
    static void replaceEpoch(Env<ByteBuffer> env, Dbi<ByteBuffer> meta, long epoch) {
        if (epoch < 0) {
            throw new IllegalStateException("epoch source returned a negative epoch " + epoch);
        }
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            meta.put(txn, direct(EPOCH_KEY), ByteBuffer.allocateDirect(8).putLong(0, epoch));
            txn.commit();
        }
    }

    /** The token of the tree file saved at the last clean close, if it is still valid (see {@link TreeFile}). */
    static OptionalLong treeToken(Env<ByteBuffer> env, Dbi<ByteBuffer> meta) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer token = meta.get(txn, direct(TREE_TOKEN_KEY));
            return token == null || token.remaining() != 8 ? OptionalLong.empty() : OptionalLong.of(token.getLong(0));
        }
    }

    /** Stores the token of a tree file just saved, in one committed transaction. Writer stopped only. */
    static void putTreeToken(Env<ByteBuffer> env, Dbi<ByteBuffer> meta, long token) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            meta.put(txn, direct(TREE_TOKEN_KEY), ByteBuffer.allocateDirect(8).putLong(0, token));
            txn.commit();
        }
    }

    /** Deletes the tree file's token, committed, so the file is void from now on; false if there was none. */
    static boolean deleteTreeToken(Env<ByteBuffer> env, Dbi<ByteBuffer> meta) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            boolean deleted = meta.delete(txn, direct(TREE_TOKEN_KEY));
            if (deleted) {
                txn.commit();
            }
            return deleted;
        }
    }

    /**
     * A write with no meaning but to commit something: bumps a counter in the meta database. Used by the
     * {@link BatchCommitter} to advance LMDB's transaction id so recently freed pages become reusable.
     */
    static final class Nudge extends WriteOp<Void> {
        private final Dbi<ByteBuffer> meta;

        Nudge(Dbi<ByteBuffer> meta) {
            this.meta = meta;
        }

        @Override
        Void apply(WriteContext ctx) {
            ByteBuffer current = ctx.get(meta, NUDGE_KEY);
            long n = current != null && current.remaining() == 8 ? current.getLong(0) : 0;
            ctx.reserve(meta, NUDGE_KEY, 8).putLong(0, n + 1);
            return null;
        }
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
