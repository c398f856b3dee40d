package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.util.function.LongSupplier;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;

/**
 * The one place where LMDB's failures are sorted: what the writer does about them ({@link #classify}) and which
 * Chorus error a caller sees ({@link #toChorus}). Stateless.
 */
final class LmdbErrors {

    /** Linux errno values LMDB passes through from write(2)/fsync(2) when the disk or quota is exhausted. */
    static final int ENOSPC = 28;
    static final int EDQUOT = 122;
    static final int EIO = 5;
    /**
     * LMDB reports a short page write as EIO ("short write, filesystem full?" in mdb_page_flush): write(2) only
     * says ENOSPC when it could write nothing at all. A short write fills the disk, so an EIO with less free space
     * than this is taken as a full disk; with more, it is a real I/O error.
     */
    static final long LOW_SPACE_BYTES = 4L << 20;

    /** What a failed write transaction means for its batch. */
    enum Kind {
        /** The map is full: grow it and retry. */
        MAP_FULL,
        /** The disk is full: nothing to grow, the writes that need space fail. */
        DISK_FULL,
        /** Too many dirty pages for one transaction: retry in smaller batches. */
        TXN_TOO_BIG,
        /** Anything else. */
        OTHER
    }

    private LmdbErrors() {
    }

    /**
     * As {@link #classify(LmdbException)}, telling a short write on a full disk from a real I/O error by the free
     * space left.
     */
    static Kind classify(LmdbException e, LongSupplier usableSpace) {
        Kind kind = classify(e);
        if (kind == Kind.OTHER && e instanceof LmdbNativeException n && n.getResultCode() == EIO
                && usableSpace.getAsLong() < LOW_SPACE_BYTES) {
            return Kind.DISK_FULL;
        }
        return kind;
    }

    static Kind classify(LmdbException e) {
        if (e instanceof Env.MapFullException) {
            return Kind.MAP_FULL;
        }
        if (e instanceof Txn.TxFullException || e instanceof Cursor.FullException) {
            return Kind.TXN_TOO_BIG;
        }
        if (e instanceof LmdbNativeException n && (n.getResultCode() == ENOSPC || n.getResultCode() == EDQUOT)) {
            return Kind.DISK_FULL;
        }
        return Kind.OTHER;
    }

    /** The error a caller sees for {@code e}, which happened while doing {@code what}. */
    static ChorusException toChorus(LmdbException e, String what) {
        return toChorus(e, classify(e), what);
    }

    /** As {@link #toChorus(LmdbException, String)} when the writer has already classified {@code e}. */
    static ChorusException toChorus(LmdbException e, Kind kind, String what) {
        String msg = what + ": " + e.getMessage();
        if (e instanceof Env.ReadersFullException) {
            return new ChorusException(ErrorCode.OVERLOADED, msg + " (raise maxReaders)", e);
        }
        if (e instanceof Dbi.DbFullException) {
            return new ChorusException(ErrorCode.BAD_REQUEST, msg + " (raise maxAreas)", e);
        }
        if (e instanceof LmdbNativeException.PageCorruptedException
                || e instanceof LmdbNativeException.PageNotFoundException
                || e instanceof LmdbNativeException.PanicException
                || e instanceof Env.FileInvalidException) {
            return new ChorusException(ErrorCode.CORRUPT, msg, e);
        }
        return switch (kind) {
            case MAP_FULL -> new StorageFullException(what + ": the LMDB map reached its maximum size", e);
            case DISK_FULL -> new StorageFullException(what + ": the disk is full (" + e.getMessage() + ")", e);
            case TXN_TOO_BIG -> new ChorusException(ErrorCode.TOO_LARGE, msg + " (too large for one transaction)", e);
            case OTHER -> new ChorusException(ErrorCode.INTERNAL, msg, e);
        };
    }

    static ChorusException closed() {
        return new ChorusException(ErrorCode.UNAVAILABLE, "storage engine is closed");
    }
}
