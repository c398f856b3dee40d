package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.lmdbjava.Dbi;

/**
 * A {@link KeyValueArea} as one LMDB named database of the engine's environment, sharing its readers, gate and
 * group-commit writer. Thread-safe.
 */
final class LmdbKeyValueArea implements KeyValueArea {

    private final String name;
    private final Dbi<ByteBuffer> dbi;
    private final ReadContexts readers;
    private final GroupCommitWriter writer;
    private final int maxValueSize;

    LmdbKeyValueArea(String name, Dbi<ByteBuffer> dbi, ReadContexts readers, GroupCommitWriter writer,
            int maxValueSize) {
        this.name = name;
        this.dbi = dbi;
        this.readers = readers;
        this.writer = writer;
        this.maxValueSize = maxValueSize;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        StoreKeys.checkKey(key, MAX_KEY_LENGTH);
        return readers.read(r -> {
            ByteBuffer v = dbi.get(r.txn(), r.key(key));
            return v == null ? Optional.<byte[]>empty() : Optional.of(StoreKeys.copy(v, 0));
        }, () -> "reading area " + name);
    }

    @Override
    public CompletableFuture<Void> put(byte[] key, byte[] value) {
        Objects.requireNonNull(value, "value");
        try {
            StoreKeys.checkKey(key, MAX_KEY_LENGTH);
            if (value.length > maxValueSize) {
                throw new LimitExceededException(ErrorCode.TOO_LARGE, "value size in area " + name, value.length,
                        maxValueSize);
            }
        } catch (ChorusException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(new AreaWrites.Put(dbi, key.clone(), value.clone()));
    }

    @Override
    public CompletableFuture<Boolean> delete(byte[] key) {
        try {
            StoreKeys.checkKey(key, MAX_KEY_LENGTH);
        } catch (ChorusException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(new AreaWrites.Delete(dbi, key.clone()));
    }

    @Override
    public void scan(byte[] prefix, AreaVisitor visitor) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(visitor, "visitor");
        if (prefix.length > MAX_KEY_LENGTH) {
            throw new LimitExceededException(ErrorCode.TOO_LARGE, "prefix length", prefix.length, MAX_KEY_LENGTH);
        }
        ChunkedScan.run(readers, dbi, prefix.clone(), (k, v) -> StoreKeys.copy(v, 0), visitor::visit);
    }

    @Override
    public long count() {
        return readers.read(r -> dbi.stat(r.txn()).entries, () -> "counting area " + name);
    }

    @Override
    public String toString() {
        return "KeyValueArea[" + name + "]";
    }
}
