package io.chorus.storage;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A named, ordered map of byte strings kept in the storage engine's environment, for node-local state such as
 * hints. Writes go through the engine's group-commit writer, so they are as durable as the engine's writes and
 * complete in submission order; reads run on the caller's thread like {@link StorageEngine#get}.
 *
 * <p>Keys are 1 to {@value #MAX_KEY_LENGTH} bytes, ordered by unsigned bytes. Thread-safe.
 */
public interface KeyValueArea {

    /** LMDB's key limit. */
    int MAX_KEY_LENGTH = 511;

    String name();

    /** The value stored under {@code key}, or empty when there is none. */
    Optional<byte[]> get(byte[] key);

    /** Stores {@code value} under {@code key}, replacing any earlier value; completes once committed. */
    CompletableFuture<Void> put(byte[] key, byte[] value);

    /** Removes {@code key}; completes with whether it was there, once committed. */
    CompletableFuture<Boolean> delete(byte[] key);

    /**
     * Visits the keys starting with {@code prefix} (empty: all) in ascending order until the visitor returns
     * false. Reads in chunks like {@link StorageEngine#scan}: not a snapshot, no transaction held while visiting.
     */
    void scan(byte[] prefix, AreaVisitor visitor);

    /** How many keys the area holds, as of the latest commit. */
    long count();
}
