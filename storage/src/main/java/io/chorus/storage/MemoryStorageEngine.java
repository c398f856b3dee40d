package io.chorus.storage;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StorageEngine} held in memory. <b>Not durable</b>: everything is lost with the object (a simulated
 * "process restart" keeps the object, as a real restart keeps its disk). Made for the deterministic simulation,
 * where all work must run on one thread, and usable for an embedded, non-durable mode.
 *
 * <p>Semantics follow the LMDB engine where that is cheap: the same key and partition checks (an empty key is
 * BAD_REQUEST, one over {@value StorageEngine#MAX_KEY_LENGTH} bytes TOO_LARGE), read-modify-write updates where a
 * throwing or null-returning change fails only its own future and writes nothing, the default write limits (value,
 * object and clock size, sibling count) on {@code update} and none on the merges of {@code put}, named areas, scans
 * in stored order (segment hash, then key), hash trees kept in step with every write. Not modelled: disk space.
 *
 * <p>Every future is already complete when the method returns: work runs on the caller's thread, so the
 * simulation stays on its one thread. Thread-safe: one monitor guards the maps; visitors and future callbacks run
 * outside it, so they may call the engine again.
 */
public final class MemoryStorageEngine implements StorageEngine {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryStorageEngine.class);

    private final long epoch;
    private final Object lock = new Object();
    /** Stored keys (partition, segment hash, key) in unsigned byte order, as LMDB orders them. */
    private final NavigableMap<byte[], SiblingSet> data = new TreeMap<>(Arrays::compareUnsigned);
    private final Map<String, MemoryArea> areas = new TreeMap<>();
    private long writesCommitted;
    private long writesRejected;
    private long mergesOverLimit;
    private final WriteLimits limits = WriteLimits.defaults();
    private final HashTrees trees = new HashTrees(true);
    private boolean closed;

    /** An empty engine whose actor epoch is {@code epoch} (the LMDB engine draws it when a directory is made). */
    public MemoryStorageEngine(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        this.epoch = epoch;
    }

    @Override
    public SiblingSet get(int partition, byte[] key) {
        byte[] stored = StoreKeys.dataKey(partition, key);
        synchronized (lock) {
            checkOpen();
            return data.getOrDefault(stored, SiblingSet.empty());
        }
    }

    @Override
    public CompletableFuture<SiblingSet> update(int partition, byte[] key, UnaryOperator<SiblingSet> change) {
        return write(partition, key, change, false);
    }

    @Override
    public CompletableFuture<SiblingSet> put(int partition, byte[] key, SiblingSet incoming) {
        Objects.requireNonNull(incoming, "incoming");
        return write(partition, key, stored -> stored.merge(incoming), true);
    }

    private CompletableFuture<SiblingSet> write(int partition, byte[] key, UnaryOperator<SiblingSet> change,
            boolean merge) {
        Objects.requireNonNull(change, "change");
        try {
            byte[] stored = StoreKeys.dataKey(partition, key);
            synchronized (lock) {
                checkOpen();
                boolean existed = data.containsKey(stored);
                SiblingSet before = data.getOrDefault(stored, SiblingSet.empty());
                SiblingSet after = change.apply(before);
                if (after == null) {
                    throw new NullPointerException("the update function returned null for "
                            + StoreKeys.describeDataKey(stored));
                }
                boolean unchanged = after.equals(before);
                if (!unchanged) {
                    int size = CausalCodec.encodedSize(after);
                    String over = merge ? limits.overLimit(after, size) : null;
                    if (!merge) {
                        limits.check(before, after, size, stored);
                    } else if (over != null) {
                        mergesOverLimit++;
                        LOG.warn("{}: a merge of replica states leaves {}; stored all the same",
                                StoreKeys.describeDataKey(stored), over);
                    }
                    data.put(stored, after);
                    // Under the monitor, as the LMDB engine does on its writer: trees change in write order.
                    trees.tree(partition).apply(stored, entryHash(stored, before, existed),
                            entryHash(stored, after, true), existed, true, after.isDeleted());
                }
                writesCommitted++;
                return CompletableFuture.completedFuture(unchanged ? before : after);
            }
        } catch (RuntimeException e) {
            synchronized (lock) {
                writesRejected++;
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void scan(int partition, PartitionVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        byte[] prefix = StoreKeys.prefix(partition);
        List<Map.Entry<byte[], SiblingSet>> snapshot;
        synchronized (lock) {
            checkOpen();
            snapshot = new ArrayList<>(prefixed(data, prefix).entrySet());
        }
        // Outside the lock, like the LMDB engine's chunked scan: the visitor may call the engine.
        for (Map.Entry<byte[], SiblingSet> e : snapshot) {
            byte[] key = StoreKeys.userKey(e.getKey());
            if (!visitor.visit(key, e.getValue())) {
                return;
            }
        }
    }

    private static long entryHash(byte[] storedKey, SiblingSet set, boolean present) {
        return present ? KeyHash.entryHash(StoreKeys.userKey(storedKey), CausalCodec.encode(set)) : 0;
    }

    @Override
    public HashTrees trees() {
        return trees;
    }

    @Override
    public SegmentEntries segmentEntries(int partition, int bits, int[] segments, byte[] resumeAfter,
            int maxBytes) {
        SegmentListing listing = SegmentListing.of(partition, bits, segments, resumeAfter, maxBytes);
        synchronized (lock) {
            checkOpen();
            return listing.run(new SegmentListing.Source() {
                private Map.Entry<byte[], SiblingSet> at;

                @Override
                public boolean seek(byte[] from) {
                    at = data.ceilingEntry(from);
                    return at != null;
                }

                @Override
                public boolean next() {
                    at = data.higherEntry(at.getKey());
                    return at != null;
                }

                @Override
                public byte[] key() {
                    return at.getKey().clone();
                }

                @Override
                public byte[] value() {
                    return CausalCodec.encode(at.getValue());
                }
            });
        }
    }

    @Override
    public CompletableFuture<Boolean> purgeTombstone(int partition, byte[] key, long expectedHash) {
        try {
            byte[] stored = StoreKeys.dataKey(partition, key);
            synchronized (lock) {
                checkOpen();
                SiblingSet current = data.get(stored);
                if (current == null || !current.isDeleted() || entryHash(stored, current, true) != expectedHash) {
                    return CompletableFuture.completedFuture(false);
                }
                data.remove(stored);
                trees.tree(partition).apply(stored, expectedHash, 0, true, false, false);
                return CompletableFuture.completedFuture(true);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<RebuildProgress> rebuildTree(int partition, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1, got " + maxKeys);
        }
        try {
            byte[] prefix = StoreKeys.prefix(partition);
            synchronized (lock) {
                checkOpen();
                HashTree tree = trees.tree(partition);
                HashTree.RebuildPosition at = tree.rebuildPosition();
                if (at.blocked()) {
                    return CompletableFuture.completedFuture(new RebuildProgress(0, false));
                }
                NavigableMap<byte[], SiblingSet> range = prefixed(data, prefix);
                if (at.after() != null) {
                    range = range.tailMap(at.after(), false);
                }
                List<HashTree.Scanned> chunk = new ArrayList<>();
                boolean end = true;
                for (Map.Entry<byte[], SiblingSet> e : range.entrySet()) {
                    if (chunk.size() == maxKeys) {
                        end = false;
                        break;
                    }
                    chunk.add(new HashTree.Scanned(e.getKey().clone(), entryHash(e.getKey(), e.getValue(), true),
                            e.getValue().isDeleted()));
                }
                boolean done = tree.addChunk(at, chunk, end);
                return CompletableFuture.completedFuture(new RebuildProgress(chunk.size(), done));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Forgets every hash tree, as a restart after a crash of the LMDB engine does: each is not ready until
     * {@link #rebuildTree} rebuilds it. For tests of what anti-entropy does meanwhile.
     */
    public void forgetTrees() {
        synchronized (lock) {
            trees.invalidateAll();
        }
    }

    @Override
    public CompletableFuture<Void> dropPartition(int partition) {
        try {
            byte[] prefix = StoreKeys.prefix(partition);
            synchronized (lock) {
                checkOpen();
                HashTree tree = trees.tree(partition);
                tree.dropStarted();
                prefixed(data, prefix).clear();
                tree.dropEnded(true);
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public KeyValueArea area(String name) {
        StoreKeys.checkAreaName(name);
        synchronized (lock) {
            checkOpen();
            return areas.computeIfAbsent(name, MemoryArea::new);
        }
    }

    @Override
    public StorageStats stats() {
        synchronized (lock) {
            // Every write is its own "batch"; there is no map to grow and nothing queued.
            return new StorageStats(writesCommitted, writesCommitted, writesRejected, 0, 0, 0, 0, mergesOverLimit);
        }
    }

    /** Later calls fail with UNAVAILABLE, as on a closed LMDB engine; the contents are dropped. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            data.clear();
            areas.clear();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, "the storage engine is closed");
        }
    }

    /** The view of {@code map}'s keys that start with {@code prefix}. */
    private static <V> NavigableMap<byte[], V> prefixed(NavigableMap<byte[], V> map, byte[] prefix) {
        NavigableMap<byte[], V> tail = map.tailMap(prefix, true);
        byte[] end = prefixEnd(prefix);
        return end == null ? tail : tail.headMap(end, false);
    }

    /** The smallest key greater than every key starting with {@code prefix}; null when there is none. */
    private static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    /** An area of this engine; shares the engine's monitor so its writes order with the engine's. */
    private final class MemoryArea implements KeyValueArea {

        private final String name;
        private final NavigableMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);

        MemoryArea(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Optional<byte[]> get(byte[] key) {
            StoreKeys.checkKey(key, MAX_KEY_LENGTH);
            synchronized (lock) {
                checkOpen();
                byte[] v = entries.get(key);
                return v == null ? Optional.empty() : Optional.of(v.clone());
            }
        }

        @Override
        public CompletableFuture<Void> put(byte[] key, byte[] value) {
            Objects.requireNonNull(value, "value");
            try {
                StoreKeys.checkKey(key, MAX_KEY_LENGTH);
                synchronized (lock) {
                    checkOpen();
                    entries.put(key.clone(), value.clone());
                }
                return CompletableFuture.completedFuture(null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletableFuture<Boolean> delete(byte[] key) {
            try {
                StoreKeys.checkKey(key, MAX_KEY_LENGTH);
                synchronized (lock) {
                    checkOpen();
                    return CompletableFuture.completedFuture(entries.remove(key) != null);
                }
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void scan(byte[] prefix, AreaVisitor visitor) {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(visitor, "visitor");
            List<Map.Entry<byte[], byte[]>> snapshot;
            synchronized (lock) {
                checkOpen();
                snapshot = new ArrayList<>(prefixed(entries, prefix).entrySet());
            }
            for (Map.Entry<byte[], byte[]> e : snapshot) {
                if (!visitor.visit(e.getKey().clone(), e.getValue().clone())) {
                    return;
                }
            }
        }

        @Override
        public long count() {
            synchronized (lock) {
                checkOpen();
                return entries.size();
            }
        }

        @Override
        public String toString() {
            return "MemoryArea[" + name + "]";
        }
    }
}
