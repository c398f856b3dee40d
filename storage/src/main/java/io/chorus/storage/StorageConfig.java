package io.chorus.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * How an {@link LmdbStorageEngine} is set up. Immutable; build with {@link #builder(Path)}.
 *
 * @param dataDir            the directory holding the LMDB environment (created if missing)
 * @param durability         whether each group commit is fsynced ({@link Durability#SYNC}, the default)
 * @param maxValueSize       largest value of one sibling, in bytes (default 1 MiB)
 * @param maxObjectSize      largest encoded sibling set of one key a client's write may leave, in bytes (default
 *                           16 MiB less 1 KiB: the largest set that fits in every message of the default 16 MiB
 *                           frame that carries one, docs/protocol.md "Limits")
 * @param siblingWarn        a write whose result has more siblings than this logs a warning (default 25)
 * @param maxSiblings        a write whose result would have more siblings than this is rejected (default 100)
 * @param initialMapSize     LMDB map size on first open, in bytes; grown by doubling when full (default 64 MiB)
 * @param maxMapSize         the map never grows past this; writes then fail with {@link StorageFullException}
 *                           (default 1 TiB: address space only, the file grows with the data)
 * @param maxBatchSize       most writes committed in one transaction (default 512)
 * @param maxPendingWrites   writes queued for the writer before new ones are refused as OVERLOADED
 * @param maxReaders         LMDB reader slots: bounds the threads that read at once (default 512)
 * @param maxAreas           most named {@link KeyValueArea}s (default 16)
 * @param writerThreadFactory makes the one writer thread (default: a daemon thread named after the directory)
 * @param hashTrees          whether writes keep the partitions' hash trees (default true); off only to measure
 *                           what the trees cost: every tree then stays not ready and anti-entropy defers
 * @param batchObserver      told the size and commit time of every batch (default: nobody)
 */
public record StorageConfig(Path dataDir, Durability durability, int maxValueSize, int maxObjectSize,
        int siblingWarn, int maxSiblings, long initialMapSize, long maxMapSize, int maxBatchSize,
        int maxPendingWrites, int maxReaders, int maxAreas, ThreadFactory writerThreadFactory, boolean hashTrees,
        BatchObserver batchObserver) {

    public static final int DEFAULT_MAX_VALUE_SIZE = 1 << 20;
    public static final int DEFAULT_MAX_OBJECT_SIZE = (16 << 20) - 1024;
    public static final int DEFAULT_SIBLING_WARN = 25;
    public static final int DEFAULT_MAX_SIBLINGS = 100;

    public StorageConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(writerThreadFactory, "writerThreadFactory");
        Objects.requireNonNull(batchObserver, "batchObserver");
        positive("maxValueSize", maxValueSize);
        positive("maxObjectSize", maxObjectSize);
        positive("siblingWarn", siblingWarn);
        positive("maxSiblings", maxSiblings);
        positive("maxBatchSize", maxBatchSize);
        positive("maxPendingWrites", maxPendingWrites);
        positive("maxAreas", maxAreas);
        if (maxReaders < 8) {
            throw new IllegalArgumentException("maxReaders must be >= 8, got " + maxReaders);
        }
        if (initialMapSize < 64 * 1024) {
            throw new IllegalArgumentException("initialMapSize must be >= 64 KiB, got " + initialMapSize);
        }
        if (maxMapSize < initialMapSize) {
            throw new IllegalArgumentException("maxMapSize " + maxMapSize + " < initialMapSize " + initialMapSize);
        }
    }

    /** The same settings for another directory and writer thread factory (a shard of a sharded store). */
    public StorageConfig withDataDir(Path dir, ThreadFactory writerThreads) {
        return new StorageConfig(dir, durability, maxValueSize, maxObjectSize, siblingWarn, maxSiblings,
                initialMapSize, maxMapSize, maxBatchSize, maxPendingWrites, maxReaders, maxAreas, writerThreads,
                hashTrees, batchObserver);
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /** Collects settings; every one has a production default. Not thread-safe. */
    public static final class Builder {
        private final Path dataDir;
        private Durability durability = Durability.SYNC;
        private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;
        private int maxObjectSize = DEFAULT_MAX_OBJECT_SIZE;
        private int siblingWarn = DEFAULT_SIBLING_WARN;
        private int maxSiblings = DEFAULT_MAX_SIBLINGS;
        private long initialMapSize = 64L << 20;
        private long maxMapSize = 1L << 40;
        private int maxBatchSize = 512;
        private int maxPendingWrites = 65_536;
        private int maxReaders = 512;
        private int maxAreas = 16;
        private ThreadFactory writerThreadFactory;
        private boolean hashTrees = true;
        private BatchObserver batchObserver = BatchObserver.NONE;

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** Off only to measure what the hash trees cost (see {@link StorageConfig#hashTrees}). */
        public Builder hashTrees(boolean on) {
            this.hashTrees = on;
            return this;
        }

        public Builder durability(Durability d) {
            this.durability = d;
            return this;
        }

        public Builder maxValueSize(int bytes) {
            this.maxValueSize = bytes;
            return this;
        }

        public Builder maxObjectSize(int bytes) {
            this.maxObjectSize = bytes;
            return this;
        }

        public Builder siblingWarn(int n) {
            this.siblingWarn = n;
            return this;
        }

        public Builder maxSiblings(int n) {
            this.maxSiblings = n;
            return this;
        }

        public Builder initialMapSize(long bytes) {
            this.initialMapSize = bytes;
            return this;
        }

        public Builder maxMapSize(long bytes) {
            this.maxMapSize = bytes;
            return this;
        }

        public Builder maxBatchSize(int n) {
            this.maxBatchSize = n;
            return this;
        }

        public Builder maxPendingWrites(int n) {
            this.maxPendingWrites = n;
            return this;
        }

        public Builder maxReaders(int n) {
            this.maxReaders = n;
            return this;
        }

        public Builder maxAreas(int n) {
            this.maxAreas = n;
            return this;
        }

        public Builder writerThreadFactory(ThreadFactory factory) {
            this.writerThreadFactory = factory;
            return this;
        }

        public Builder batchObserver(BatchObserver observer) {
            this.batchObserver = observer;
            return this;
        }

        public StorageConfig build() {
            ThreadFactory factory = writerThreadFactory != null ? writerThreadFactory : defaultWriterFactory(dataDir);
            return new StorageConfig(dataDir, durability, maxValueSize, maxObjectSize, siblingWarn, maxSiblings,
                    initialMapSize, maxMapSize, maxBatchSize, maxPendingWrites, maxReaders, maxAreas, factory, hashTrees,
                    batchObserver);
        }

        private static ThreadFactory defaultWriterFactory(Path dir) {
            String name = "chorus-storage-writer[" + dir.getFileName() + "]";
            return r -> {
                Thread t = new Thread(r, name);
                // Daemon: a forgotten close() must not keep the JVM alive; close() still drains the queue.
                t.setDaemon(true);
                return t;
            };
        }
    }
}
