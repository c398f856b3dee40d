package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;

/**
 * A write could not be stored because the disk is full or the LMDB map reached its configured maximum. The write
 * was not applied; every earlier committed write is intact and the engine stays usable for reads, and for writes
 * once space is freed.
 */
public final class StorageFullException extends ChorusException {

    public StorageFullException(String message, Throwable cause) {
        super(ErrorCode.STORAGE_FULL, message, cause);
    }
}
