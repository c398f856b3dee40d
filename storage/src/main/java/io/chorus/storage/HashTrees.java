package io.chorus.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hash trees of one engine, one per partition, made on first use: ready (empty) in a store known to match
 * them, not ready when the store was opened without valid trees (see {@link HashTree}). A sharded engine's trees
 * ({@link #routed}) hold none of their own: each partition's tree is its shard's. Thread-safe.
 */
public final class HashTrees {

    private final ConcurrentHashMap<Integer, HashTree> trees = new ConcurrentHashMap<>();
    private volatile boolean readyByDefault;
    /** A sharded engine's shards' trees, partition p in shard p mod length; null for an engine's own. */
    private final HashTrees[] shards;

    HashTrees(boolean readyByDefault) {
        this.readyByDefault = readyByDefault;
        this.shards = null;
    }

    private HashTrees(HashTrees[] shards) {
        this.shards = shards;
    }

    /** The trees of a sharded engine: partition p is {@code shards.get(p % shards.size())}'s. */
    static HashTrees routed(List<HashTrees> shards) {
        return new HashTrees(shards.toArray(HashTrees[]::new));
    }

    /** The tree of {@code partition} (0..{@value StorageEngine#MAX_PARTITION}). */
    public HashTree tree(int partition) {
        StoreKeys.checkPartition(partition);
        if (shards != null) {
            return shards[partition % shards.length].tree(partition);
        }
        return trees.computeIfAbsent(partition, p -> new HashTree(p, readyByDefault));
    }

    /** Rebuilds completed by every tree since the engine opened. */
    public long rebuilds() {
        return all().stream().mapToLong(HashTree::rebuilds).sum();
    }

    /** Partitions whose trees exist and are not ready. */
    public long notReady() {
        return all().stream().filter(t -> !t.isReady()).count();
    }

    List<HashTree> all() {
        if (shards != null) {
            List<HashTree> out = new ArrayList<>();
            for (HashTrees s : shards) {
                out.addAll(s.all());
            }
            return out;
        }
        return List.copyOf(trees.values());
    }

    /** The trees made so far, by partition. */
    List<HashTree> sorted() {
        List<HashTree> out = new ArrayList<>(all());
        out.sort(Comparator.comparingInt(HashTree::partition));
        return out;
    }

    /** Whether a partition without a tree is known empty (its tree, once made, is ready). */
    boolean readyByDefault() {
        return readyByDefault;
    }

    /**
     * What a tree file holds: whether a partition without a tree is known empty, the ready trees, and the
     * partitions whose trees existed and were not ready (which must stay so when trees are ready by default).
     */
    record Saved(boolean readyByDefault, List<HashTree.Saved> trees, List<Integer> notReady) {
    }

    /** Trees as a tree file saved them: partitions it does not name are ready and empty only if it says so. */
    static HashTrees load(Saved saved) {
        HashTrees out = new HashTrees(saved.readyByDefault());
        for (HashTree.Saved s : saved.trees()) {
            out.tree(s.partition()).load(s.bits(), s.leaves(), s.keyCount(), s.tombstoneStoredKeys());
        }
        for (int p : saved.notReady()) {
            out.trees.computeIfAbsent(p, q -> new HashTree(q, false));
        }
        return out;
    }

    /** Forgets every tree: each is not ready until rebuilt (as after a crash). */
    void invalidateAll() {
        readyByDefault = false;
        trees.values().forEach(HashTree::invalidate);
    }
}
