package io.chorus.storage;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/** Decodes stored sibling sets, turning bad bytes into a CORRUPT error that names the key. Stateless. */
final class StoredSets {

    private StoredSets() {
    }

    /**
     * Decodes straight from LMDB's buffer (position to limit); the result copies what it keeps, so it stays valid
     * after the transaction ends.
     */
    static SiblingSet decode(ByteBuffer stored, byte[] storedKey) {
        return decode(stored, () -> StoreKeys.describeDataKey(storedKey));
    }

    /** As {@link #decode(ByteBuffer, byte[])} for a key not yet in stored form (the read path avoids the copy). */
    static SiblingSet decode(ByteBuffer stored, int partition, byte[] key) {
        return decode(stored, () -> "partition " + partition + " key " + StoreKeys.hex(key, 0));
    }

    private static SiblingSet decode(ByteBuffer stored, Supplier<String> which) {
        try {
            return CausalCodec.decode(stored);
        } catch (MalformedEncodingException | IllegalArgumentException | IllegalStateException e) {
            // Never an empty result: a silent "not found" would let a stale replica's data win.
            throw new ChorusException(ErrorCode.CORRUPT, "stored value of " + which.get() + " does not decode: "
                    + e.getMessage(), e);
        }
    }
}
