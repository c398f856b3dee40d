package io.chorus.storage;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hash trees of one engine, one per partition, made on first use: ready (empty) in a store known to match
 * them, not ready when the store was opened without valid trees (see {@link HashTree}). Thread-safe.
 */
public final class HashTrees {

    private final ConcurrentHashMap<Integer, HashTree> trees = new ConcurrentHashMap<>();
    private volatile boolean readyByDefault;

    HashTrees(boolean readyByDefault) {
        this.readyByDefault = readyByDefault;
    }

    /** The tree of {@code partition} (0..{@value StorageEngine#MAX_PARTITION}). */
    public HashTree tree(int partition) {
        StoreKeys.checkPartition(partition);
        return trees.computeIfAbsent(partition, p -> new HashTree(p, readyByDefault));
    }

    /** Rebuilds completed by every tree since the engine opened. */
    public long rebuilds() {
        return trees.values().stream().mapToLong(HashTree::rebuilds).sum();
    }

    /** Partitions whose trees exist and are not ready. */
    public long notReady() {
        return trees.values().stream().filter(t -> !t.isReady()).count();
    }

    List<HashTree> all() {
        return List.copyOf(trees.values());
    }

    /** Forgets every tree: each is not ready until rebuilt (as after a crash). */
    void invalidateAll() {
        readyByDefault = false;
        trees.values().forEach(HashTree::invalidate);
    }
}
