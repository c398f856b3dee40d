package io.chorus.storage;

import java.nio.ByteBuffer;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * One reader's LMDB read transaction and key buffer. A cached context (one per reading thread) keeps its
 * transaction between reads: open and PARKED while no write has committed since it began, so the next read uses
 * it as is; otherwise reset (no snapshot held, reader slot kept) and renewed by the next read, which is much
 * cheaper than begin/abort. Requires MDB_NOTLS (transactions not tied to threads).
 *
 * <p>Not thread-safe: used by one thread at a time, handed over through the {@link ReadGate.Slot} state (the
 * owner while ACTIVE; the writer while RECLAIMING a parked context; the closer once every slot is idle).
 */
final class ReadContext extends ReadGate.Slot {

    final Thread owner;
    final boolean cached;
    /** Reentrancy guard (owner thread only): a context already in use hands out a transient one instead. */
    boolean busy;
    /** Set by a reader whose LMDB call failed: the transaction may be in an error state, do not park it. */
    boolean failed;

    private final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(StoreKeys.LMDB_MAX_KEY);
    private Txn<ByteBuffer> txn;
    /** The commit generation the open transaction is known to include. */
    private long generation = -1;

    ReadContext(Thread owner, boolean cached) {
        this.owner = owner;
        this.cached = cached;
    }

    /**
     * Makes the transaction current for a read at commit generation {@code current}; inside the gate, since
     * beginning reads the map's meta pages.
     *
     * @param wasParked whether the transaction is still open from the previous read
     */
    void begin(Env<ByteBuffer> env, boolean wasParked, long current) {
        if (wasParked) {
            if (generation == current) {
                return; // nothing committed since: the open snapshot is the latest
            }
            txn.reset();
        }
        generation = current; // read before renewing, so the label can only be older than the snapshot
        if (txn == null) {
            txn = env.txnRead();
        } else {
            txn.renew();
        }
    }

    /** After the read of a transient context: abort its transaction. */
    void endTransient() {
        Txn<ByteBuffer> t = txn;
        txn = null;
        t.close();
    }

    /** After a failed LMDB call: drop the transaction, whatever its state; the next read begins a fresh one. */
    void discardTxn() {
        Txn<ByteBuffer> t = txn;
        txn = null;
        if (t != null) {
            try {
                t.close();
            } catch (RuntimeException e) {
                // Already broken; the environment's close frees what is left.
            }
        }
    }

    @Override
    void releaseSnapshot() {
        txn.reset();
    }

    /**
     * Frees the transaction for good; by whoever owns the slot, inside the gate or while it is exclusive
     * (renewing touches the map).
     *
     * @param wasParked whether the transaction is open (else reset or never begun)
     */
    void dispose(boolean wasParked) {
        Txn<ByteBuffer> t = txn;
        txn = null;
        if (t == null) {
            return;
        }
        try {
            if (!wasParked) {
                // lmdbjava's close() only aborts a READY transaction; a reset one would leak its reader slot.
                t.renew();
            }
        } finally {
            t.close();
        }
    }

    Txn<ByteBuffer> txn() {
        return txn;
    }

    ByteBuffer key(int partition, byte[] key) {
        return StoreKeys.fill(keyBuffer, partition, key);
    }

    ByteBuffer key(byte[] storedKey) {
        return StoreKeys.fill(keyBuffer, storedKey);
    }
}
