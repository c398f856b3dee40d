package io.chorus.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hashes of one partition's tree at a fixed leaf resolution: every 4 bits a level ({@value #FANOUT_BITS} bits
 * of fanout, 16 children a node), the last level at the leaf resolution itself. A node at {@code b} bits covers
 * the keys whose segment hash starts with its index; its hash is the XOR of its keys' entry hashes, so a write
 * changes one node per level by {@code old ^ new}, in any order, and the levels are always exactly the fold of
 * the leaves. Also counts the keys and keeps the keys whose every sibling is a tombstone (the candidates for
 * collection). Not thread-safe: {@link HashTree} guards it.
 */
final class TreeLevels {

    static final int FANOUT_BITS = 4;

    final int bits;
    /** levels[i] has 2^levelBits[i] hashes; the last is the leaves. */
    private final int[] levelBits;
    private final long[][] levels;
    private long keyCount;
    /** Tombstone-only keys, by stored key (partition prefix included). */
    private final Map<ByteBuffer, byte[]> tombstones = new HashMap<>();

    TreeLevels(int bits) {
        if (bits < 1 || bits > KeyHash.MAX_BITS) {
            throw new IllegalArgumentException("tree bits must be in 1.." + KeyHash.MAX_BITS + ", got " + bits);
        }
        this.bits = bits;
        int n = (bits + FANOUT_BITS - 1) / FANOUT_BITS;
        levelBits = new int[n];
        levels = new long[n][];
        for (int i = 0; i < n; i++) {
            levelBits[i] = Math.min((i + 1) * FANOUT_BITS, bits);
            levels[i] = new long[1 << levelBits[i]];
        }
    }

    /** A key's entry changed from {@code oldHash} to {@code newHash} (0: absent). */
    void apply(byte[] storedKey, int segmentHash, long oldHash, long newHash, boolean wasKey, boolean isKey,
            boolean tombstoneOnly) {
        long delta = oldHash ^ newHash;
        if (delta != 0) {
            for (int i = 0; i < levels.length; i++) {
                levels[i][KeyHash.segment(segmentHash, levelBits[i])] ^= delta;
            }
        }
        keyCount += (isKey ? 1 : 0) - (wasKey ? 1 : 0);
        if (isKey && tombstoneOnly) {
            tombstones.put(ByteBuffer.wrap(storedKey), storedKey);
        } else if (!tombstones.isEmpty()) {
            // Most writes are of live keys in a partition with no tombstone: skip hashing the key for nothing.
            tombstones.remove(ByteBuffer.wrap(storedKey));
        }
    }

    long root() {
        long r = 0;
        for (long h : levels[0]) {
            r ^= h;
        }
        return r;
    }

    long keyCount() {
        return keyCount;
    }

    /**
     * The hash of the node {@code index} at {@code atBits} (0..bits): read from the level at those bits, or
     * folded from the next finer one (fewer than 16 hashes, since levels are 4 bits apart).
     */
    long hash(int atBits, int index) {
        if (atBits == 0) {
            return root();
        }
        int level = (atBits + FANOUT_BITS - 1) / FANOUT_BITS - 1;
        int finer = levelBits[level];
        int shift = finer - atBits;
        long[] hashes = levels[level];
        long h = 0;
        int from = index << shift;
        for (int i = from; i < from + (1 << shift); i++) {
            h ^= hashes[i];
        }
        return h;
    }

    /** The leaves themselves (for tests and the tree file): do not modify. */
    long[] leaves() {
        return levels[levels.length - 1];
    }

    /**
     * Takes {@code leaves} as its own (a loaded tree file: no copy, the array must not be used after) and recomputes
     * every level above them.
     */
    void loadLeaves(long[] leaves, long count) {
        if (leaves.length != 1 << bits) {
            throw new IllegalArgumentException("expected " + (1 << bits) + " leaves, got " + leaves.length);
        }
        if (count < 0) {
            throw new IllegalArgumentException("negative key count " + count);
        }
        levels[levels.length - 1] = leaves;
        for (int i = levels.length - 2; i >= 0; i--) {
            int shift = levelBits[i + 1] - levelBits[i];
            long[] finer = levels[i + 1];
            long[] coarse = levels[i];
            java.util.Arrays.fill(coarse, 0);
            for (int j = 0; j < finer.length; j++) {
                coarse[j >>> shift] ^= finer[j];
            }
        }
        keyCount = count;
    }

    void markTombstone(byte[] storedKey) {
        tombstones.put(ByteBuffer.wrap(storedKey), storedKey);
    }

    List<byte[]> tombstones(int max) {
        List<byte[]> out = new ArrayList<>(Math.min(max, tombstones.size()));
        for (byte[] k : tombstones.values()) {
            if (out.size() >= max) {
                break;
            }
            out.add(k);
        }
        return out;
    }

    int tombstoneCount() {
        return tombstones.size();
    }

    /** The resolution for a partition of {@code keys} keys: about two keys a leaf, at least 2^8 leaves. */
    static int bitsFor(long keys) {
        int b = HashTree.MIN_BITS;
        while (b < HashTree.MAX_BITS && keys > 2L << b) {
            b++;
        }
        return b;
    }
}
