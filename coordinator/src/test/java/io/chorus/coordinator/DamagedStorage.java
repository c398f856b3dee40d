package io.chorus.coordinator;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.storage.KeyValueArea;
import io.chorus.storage.PartitionVisitor;
import io.chorus.storage.StorageEngine;
import io.chorus.storage.StorageStats;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A store whose bytes for one key went bad, behaving as the LMDB engine does then: reading the key decoded fails
 * CORRUPT, writing it fails CORRUPT (the stored state cannot be merged), and its raw encoding is bytes that do not
 * decode. Everything else passes through. For tests of how the cluster copes with one damaged replica.
 */
final class DamagedStorage implements StorageEngine {

    /** The sibling-set format byte, then an actor count the remaining bytes cannot hold. */
    static final byte[] UNDECODABLE = {1, 9, 9, 9};

    private final StorageEngine healthy;
    private final int partition;
    private final byte[] key;

    DamagedStorage(StorageEngine healthy, int partition, byte[] key) {
        this.healthy = healthy;
        this.partition = partition;
        this.key = key.clone();
    }

    private boolean damaged(int p, byte[] k) {
        return p == partition && Arrays.equals(k, key);
    }

    private ChorusException corrupt() {
        return new ChorusException(ErrorCode.CORRUPT, "stored value of partition " + partition + " does not decode");
    }

    @Override
    public SiblingSet get(int p, byte[] k) {
        if (damaged(p, k)) {
            throw corrupt();
        }
        return healthy.get(p, k);
    }

    @Override
    public byte[] getEncoded(int p, byte[] k) {
        return damaged(p, k) ? UNDECODABLE.clone() : healthy.getEncoded(p, k);
    }

    @Override
    public CompletableFuture<SiblingSet> update(int p, byte[] k, UnaryOperator<SiblingSet> change) {
        return damaged(p, k) ? CompletableFuture.failedFuture(corrupt()) : healthy.update(p, k, change);
    }

    @Override
    public void scan(int p, PartitionVisitor visitor) {
        healthy.scan(p, visitor);
    }

    @Override
    public CompletableFuture<Void> dropPartition(int p) {
        return healthy.dropPartition(p);
    }

    @Override
    public io.chorus.storage.HashTrees trees() {
        return healthy.trees();
    }

    @Override
    public io.chorus.storage.SegmentEntries segmentEntries(int p, int bits, int[] segments, byte[] resumeAfter,
            int maxBytes) {
        return healthy.segmentEntries(p, bits, segments, resumeAfter, maxBytes);
    }

    @Override
    public CompletableFuture<Boolean> purgeTombstone(int p, byte[] k, long expectedHash) {
        return healthy.purgeTombstone(p, k, expectedHash);
    }

    @Override
    public CompletableFuture<RebuildProgress> rebuildTree(int p, int maxKeys) {
        return healthy.rebuildTree(p, maxKeys);
    }

    @Override
    public long epoch() {
        return healthy.epoch();
    }

    @Override
    public KeyValueArea area(String name) {
        return healthy.area(name);
    }

    @Override
    public StorageStats stats() {
        return healthy.stats();
    }

    @Override
    public void close() {
        healthy.close();
    }
}
