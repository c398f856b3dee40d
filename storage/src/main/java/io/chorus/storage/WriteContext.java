package io.chorus.storage;

import java.nio.ByteBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * The writer's view of its current transaction, handed to each {@link WriteOp}. Every method that changes the
 * database marks the op as having written, which tells the writer whether a failure of the op left the
 * transaction clean (reject just the op) or not (abort and retry without it). Keys go through one reused direct
 * buffer, as lmdbjava's optimal proxy needs. Writer thread only.
 */
final class WriteContext {

    private final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(StoreKeys.LMDB_MAX_KEY);
    private Txn<ByteBuffer> txn;
    private boolean wrote;

    void begin(Txn<ByteBuffer> t) {
        this.txn = t;
    }

    void beforeOp() {
        wrote = false;
    }

    boolean wrote() {
        return wrote;
    }

    Txn<ByteBuffer> txn() {
        return txn;
    }

    /** The value stored under {@code key} as of this transaction (earlier ops of the batch included), or null. */
    ByteBuffer get(Dbi<ByteBuffer> dbi, byte[] key) {
        return dbi.get(txn, StoreKeys.fill(keyBuffer, key));
    }

    /** Room for a value of {@code size} bytes under {@code key}; fill it before the next call. */
    ByteBuffer reserve(Dbi<ByteBuffer> dbi, byte[] key, int size) {
        wrote = true;
        return dbi.reserve(txn, StoreKeys.fill(keyBuffer, key), size);
    }

    boolean delete(Dbi<ByteBuffer> dbi, byte[] key) {
        wrote = true;
        return dbi.delete(txn, StoreKeys.fill(keyBuffer, key));
    }

    /** A cursor for deleting; close it before apply returns. */
    Cursor<ByteBuffer> openCursor(Dbi<ByteBuffer> dbi) {
        wrote = true;
        return dbi.openCursor(txn);
    }

    /** A cursor for reading only (the op stays clean); close it before apply returns. */
    Cursor<ByteBuffer> openReadCursor(Dbi<ByteBuffer> dbi) {
        return dbi.openCursor(txn);
    }

    /** For ops that change the database by other means (opening a database). */
    void markWritten() {
        wrote = true;
    }

    ByteBuffer key(byte[] key) {
        return StoreKeys.fill(keyBuffer, key);
    }
}
