package io.chorus.storage;

import io.chorus.core.causal.SiblingSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.function.UnaryOperator;

/**
 * A node's store as {@code S} LMDB environments, partition p in shard {@code p mod S}: each shard has its own
 * group-commit writer, so S commits (and their fsyncs) run at once where one environment allows one. LMDB has a
 * single writer per environment and its commit holds that writer across both of its fsyncs; with SYNC on this
 * kind of disk a commit takes about 0.3 ms, so one environment caps a node at about 3,500 batches a second
 * however much CPU is idle (docs/architecture.md, "Sharded stores").
 *
 * <p>Nothing about causality changes: a key lives in one partition, hence one shard, and all its writes still
 * serialize on one writer, which is what makes a stamped dot unique (see {@link StorageEngine#update}). The
 * engine's epoch mixes every shard's, so a shard that is wiped or restored on its own (a new epoch of its own)
 * makes the whole node a new actor: no shard can restart counters under an actor another shard goes on using.
 *
 * <p>With one shard this is the plain engine in the data directory itself, byte for byte the layout of a store
 * made before shards existed. With more, {@link StoreLayout} records the count and the shards live in
 * {@code shard-<i>} subdirectories; areas (hints, node state) are shard 0's. Thread-safe.
 */
public final class ShardedStorageEngine implements StorageEngine {

    private final List<LmdbStorageEngine> shards;
    private final HashTrees trees;
    private final long epoch;

    private ShardedStorageEngine(List<LmdbStorageEngine> shards) {
        this.shards = List.copyOf(shards);
        if (shards.size() == 1) {
            this.trees = shards.get(0).trees();
            this.epoch = shards.get(0).epoch();
        } else {
            this.trees = HashTrees.routed(shards.stream().map(LmdbStorageEngine::trees).toList());
            this.epoch = mixEpochs(shards.stream().mapToLong(LmdbStorageEngine::epoch).toArray());
        }
    }

    /**
     * Opens (creating if needed) the store of {@code config.dataDir()} as {@code shardCount} shards, each with
     * {@code config}'s settings.
     *
     * @throws io.chorus.core.error.ChorusException BAD_REQUEST when the directory holds a store of another shard
     *     count (the mapping of partitions to shards would change: wipe the node and let anti-entropy refill it, or
     *     restore a backup made with that count); as {@link LmdbStorageEngine#open} otherwise
     */
    public static ShardedStorageEngine open(StorageConfig config, int shardCount) {
        Objects.requireNonNull(config, "config");
        StoreLayout.check(config.dataDir(), shardCount);
        if (shardCount == 1) {
            return new ShardedStorageEngine(List.of(LmdbStorageEngine.open(config)));
        }
        List<LmdbStorageEngine> opened = new ArrayList<>(shardCount);
        try {
            for (int i = 0; i < shardCount; i++) {
                opened.add(LmdbStorageEngine.open(config.withDataDir(StoreLayout.shardDir(config.dataDir(), i),
                        named(config.writerThreadFactory(), "/shard-" + i))));
            }
        } catch (RuntimeException | Error e) {
            opened.forEach(LmdbStorageEngine::close);
            throw e;
        }
        return new ShardedStorageEngine(opened);
    }

    /** How many shards; partition p is in shard {@code p mod shards()}. */
    public int shards() {
        return shards.size();
    }

    private LmdbStorageEngine shard(int partition) {
        StoreKeys.checkPartition(partition);
        return shards.get(partition % shards.size());
    }

    @Override
    public SiblingSet get(int partition, byte[] key) {
        return shard(partition).get(partition, key);
    }

    @Override
    public byte[] getEncoded(int partition, byte[] key) {
        return shard(partition).getEncoded(partition, key);
    }

    @Override
    public CompletableFuture<SiblingSet> update(int partition, byte[] key, UnaryOperator<SiblingSet> change) {
        return shard(partition).update(partition, key, change);
    }

    @Override
    public CompletableFuture<SiblingSet> put(int partition, byte[] key, SiblingSet incoming) {
        return shard(partition).put(partition, key, incoming);
    }

    @Override
    public void scan(int partition, PartitionVisitor visitor) {
        shard(partition).scan(partition, visitor);
    }

    @Override
    public CompletableFuture<Void> dropPartition(int partition) {
        return shard(partition).dropPartition(partition);
    }

    @Override
    public HashTrees trees() {
        return trees;
    }

    @Override
    public SegmentEntries segmentEntries(int partition, int bits, int[] segments, byte[] resumeAfter,
            int maxBytes) {
        return shard(partition).segmentEntries(partition, bits, segments, resumeAfter, maxBytes);
    }

    @Override
    public CompletableFuture<Boolean> purgeTombstone(int partition, byte[] key, long expectedHash) {
        return shard(partition).purgeTombstone(partition, key, expectedHash);
    }

    @Override
    public CompletableFuture<RebuildProgress> rebuildTree(int partition, int maxKeys) {
        return shard(partition).rebuildTree(partition, maxKeys);
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public KeyValueArea area(String name) {
        return shards.get(0).area(name);
    }

    @Override
    public StorageStats stats() {
        long batches = 0;
        long committed = 0;
        long rejected = 0;
        long growths = 0;
        long mapSize = 0;
        long used = 0;
        int pending = 0;
        long overLimit = 0;
        for (LmdbStorageEngine s : shards) {
            StorageStats st = s.stats();
            batches += st.batchesCommitted();
            committed += st.writesCommitted();
            rejected += st.writesRejected();
            growths += st.mapGrowths();
            mapSize += st.mapSizeBytes();
            used += st.usedBytes();
            pending += st.pendingWrites();
            overLimit += st.mergesOverLimit();
        }
        return new StorageStats(batches, committed, rejected, growths, mapSize, used, pending, overLimit);
    }

    /**
     * A consistent copy of every shard into {@code target}, in the layout this store has (one shard: the store
     * files at the top, as {@link LmdbStorageEngine#backup}; more: the layout file and a directory per shard).
     * Each shard's copy is consistent in itself, not with the others' (they are taken one after the other): as
     * for a whole node's backup against its peers, anti-entropy and read repair bring a restored node up to date.
     *
     * @return the bytes of the copies' data files
     */
    public long backup(Path target) throws IOException {
        if (shards.size() == 1) {
            return shards.get(0).backup(target);
        }
        StoreLayout.createForBackup(target, shards.size());
        long bytes = 0;
        for (int i = 0; i < shards.size(); i++) {
            bytes += shards.get(i).backup(StoreLayout.shardDir(target, i));
        }
        RestoreMarker.forceDirectory(target);
        return bytes;
    }

    /** As {@link LmdbStorageEngine#crash}, for every shard. */
    public void crash() {
        shards.forEach(LmdbStorageEngine::crash);
    }

    /** Closes every shard, one after the other, each as {@link LmdbStorageEngine#close}. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (LmdbStorageEngine s : shards) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** One non-negative epoch from the shards' (SplitMix64's finalizer over each in turn). */
    static long mixEpochs(long[] epochs) {
        long h = 0x9E3779B97F4A7C15L;
        for (long e : epochs) {
            h ^= e;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h & Long.MAX_VALUE;
    }

    private static ThreadFactory named(ThreadFactory base, String suffix) {
        return r -> {
            Thread t = base.newThread(r);
            t.setName(t.getName() + suffix);
            return t;
        };
    }
}
