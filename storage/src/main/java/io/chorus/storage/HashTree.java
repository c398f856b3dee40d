package io.chorus.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One partition's hash tree (Tictac AAE style): the XOR of {@link KeyHash#entryHash entry hashes} over segments
 * of the key-hash space, at a resolution that grows with the partition (about two keys a leaf, 2^{@value #MIN_BITS}
 * to 2^{@value #MAX_BITS} leaves), in levels of 16 children ({@link TreeLevels}). The engine applies each write's
 * change to it right after the write's batch commits, on the writer thread, in commit order.
 *
 * <p><b>Readiness.</b> A tree is ready when it is known to match the store: always for a new data directory and
 * for a tree loaded from a clean shutdown's tree file; after a crash, or while a partition is dropped, it is not,
 * and it is rebuilt by one scan ({@link StorageEngine#rebuildTree}) that the caller paces. An exchange against a
 * tree that is not ready must be deferred, never answered from a partial tree.
 *
 * <p><b>Rebuild during writes.</b> A rebuild fills a shadow tree chunk by chunk, each chunk read on the writer
 * thread inside a batch, in stored-key order. A write's change goes to the shadow only if its key is at or before
 * the chunk cursor: a key behind it was already scanned, so the scan saw its old state and the change must follow;
 * a key ahead of it will be scanned later with its new state. Both cases are decided on the writer thread, in the
 * order the batch ran, so nothing is counted twice or missed. A chunk counts only if it was read from the
 * position the tree is still at ({@link #addChunk}): two steps read in one batch start at the same cursor, and
 * the second would count its keys again. A ready tree keeps serving during a rebuild (a resize to more leaves) and
 * is swapped for the shadow when the scan ends.
 *
 * <p><b>Drops.</b> From the start of a partition drop to its end the tree is not ready and no rebuild runs (the
 * drop deletes keys without telling the tree); the drop's last chunk leaves an empty ready tree, on the writer
 * thread right after its commit, so every later write counts.
 *
 * <p>Thread-safe: a monitor guards everything; every method is short and does no I/O.
 */
public final class HashTree {

    public static final int MIN_BITS = 8;
    public static final int MAX_BITS = 20;
    /** A ready tree with more keys than this many per leaf is rebuilt finer. */
    static final int RESIZE_KEYS_PER_LEAF = 8;

    private final int partition;
    private TreeLevels main;
    private TreeLevels shadow;
    /** The last stored key the shadow's scan has covered; null before its first chunk. */
    private byte[] cursor;
    /** Changes whenever the tree is reset or invalidated, so that a rebuild chunk of an older generation is void. */
    private long generation;
    /** Drops of the partition begun and not ended: while any runs, nothing is known and no rebuild counts. */
    private int dropsRunning;
    private long rebuilds;

    HashTree(int partition, boolean ready) {
        this.partition = partition;
        this.main = ready ? new TreeLevels(MIN_BITS) : null;
    }

    public int partition() {
        return partition;
    }

    public synchronized boolean isReady() {
        return main != null;
    }

    /** The leaf resolution, 0 when not ready. */
    public synchronized int bits() {
        return main == null ? 0 : main.bits;
    }

    public synchronized long keyCount() {
        return main == null ? 0 : main.keyCount();
    }

    /** The XOR of every entry hash of the partition; 0 when not ready. */
    public synchronized long root() {
        return main == null ? 0 : main.root();
    }

    /**
     * The hashes of the children of {@code parents} (indexes at {@code parentBits}, ascending), at
     * {@code min(parentBits + 4, leafBits)} bits, parent by parent; null when the tree is not ready or coarser
     * than {@code leafBits}. Any resolution at or under the tree's own is answered: finer trees fold their leaves.
     */
    public synchronized long[] children(int leafBits, int parentBits, int[] parents) {
        if (main == null || leafBits > main.bits || parentBits >= leafBits || parentBits < 0) {
            return null;
        }
        for (int parent : parents) {
            if (parent < 0 || parent >= 1 << parentBits) {
                throw new IllegalArgumentException("parent " + parent + " outside 0..2^" + parentBits);
            }
        }
        int childBits = Math.min(parentBits + TreeLevels.FANOUT_BITS, leafBits);
        int fanout = 1 << (childBits - parentBits);
        long[] out = new long[parents.length * fanout];
        for (int i = 0; i < parents.length; i++) {
            int first = parents[i] << (childBits - parentBits);
            for (int c = 0; c < fanout; c++) {
                out[i * fanout + c] = main.hash(childBits, first + c);
            }
        }
        return out;
    }

    /** The hash of one node at {@code atBits} (0 = the root); 0 when not ready or finer than the tree. */
    public synchronized long hash(int atBits, int index) {
        return main == null || atBits > main.bits ? 0 : main.hash(atBits, index);
    }

    /** Up to {@code max} keys (without partition) whose every sibling is a tombstone: collection candidates. */
    public synchronized List<byte[]> tombstoneKeys(int max) {
        if (main == null) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] stored : main.tombstones(max)) {
            out.add(StoreKeys.userKey(stored));
        }
        return out;
    }

    public synchronized int tombstoneCount() {
        return main == null ? 0 : main.tombstoneCount();
    }

    /** Not ready, or so full that a finer tree would narrow differences better: a rebuild should run. */
    public synchronized boolean needsRebuild() {
        return main == null || shadow != null
                || (main.bits < MAX_BITS && main.keyCount() > ((long) RESIZE_KEYS_PER_LEAF << main.bits));
    }

    /** A drop of the partition runs: a rebuild can scan nothing until it ends (the drop leaves the tree ready). */
    public synchronized boolean dropRunning() {
        return dropsRunning > 0;
    }

    /** Rebuilds completed since the engine opened. */
    public synchronized long rebuilds() {
        return rebuilds;
    }

    /** The leaves of a ready tree, a copy (tests, the tree file); null when not ready. */
    synchronized long[] leavesCopy() {
        return main == null ? null : main.leaves().clone();
    }

    synchronized void apply(byte[] storedKey, long oldHash, long newHash, boolean wasKey, boolean isKey,
            boolean tombstoneOnly) {
        int segmentHash = StoreKeys.segmentHash(storedKey);
        if (main != null) {
            main.apply(storedKey, segmentHash, oldHash, newHash, wasKey, isKey, tombstoneOnly);
        }
        if (shadow != null && cursor != null && Arrays.compareUnsigned(storedKey, cursor) <= 0) {
            shadow.apply(storedKey, segmentHash, oldHash, newHash, wasKey, isKey, tombstoneOnly);
        }
    }

    /** Nothing is known any more (the engine forgot its trees): not ready until rebuilt. */
    synchronized void invalidate() {
        main = null;
        shadow = null;
        cursor = null;
        generation++;
    }

    /** A drop of the partition began: not ready, and no rebuild counts, until it ends. */
    synchronized void dropStarted() {
        dropsRunning++;
        invalidate();
    }

    /**
     * A drop ended: with {@code emptied} its last chunk committed and the partition is empty, so the tree is ready
     * and empty (unless another drop still runs); otherwise (the drop failed) it stays not ready, to be rebuilt.
     */
    synchronized void dropEnded(boolean emptied) {
        dropsRunning = Math.max(0, dropsRunning - 1); // never below: this runs on the writer, which must not throw
        invalidate();
        if (emptied && dropsRunning == 0) {
            main = new TreeLevels(MIN_BITS);
        }
    }

    /**
     * Installs a tree read from the tree file: ready, at {@code bits} ({@value #MIN_BITS}..{@value #MAX_BITS}). Takes
     * {@code leaves} as its own.
     */
    synchronized void load(int bits, long[] leaves, long keyCount, List<byte[]> tombstoneStoredKeys) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("tree bits must be in " + MIN_BITS + ".." + MAX_BITS + ", got " + bits);
        }
        TreeLevels t = new TreeLevels(bits);
        t.loadLeaves(leaves, keyCount);
        tombstoneStoredKeys.forEach(t::markTombstone);
        main = t;
        shadow = null;
        cursor = null;
        generation++;
    }

    synchronized List<byte[]> tombstoneStoredKeys() {
        return main == null ? List.of() : main.tombstones(Integer.MAX_VALUE);
    }

    /** What the tree file keeps of a ready tree. Arrays are not copied. */
    record Saved(int partition, int bits, long keyCount, long[] leaves, List<byte[]> tombstoneStoredKeys) {
    }

    /** A copy of the ready tree, taken at once; null when not ready. */
    synchronized Saved save() {
        return main == null ? null : new Saved(partition, main.bits, main.keyCount(), main.leaves().clone(),
                main.tombstones(Integer.MAX_VALUE));
    }

    /**
     * Where the next rebuild chunk starts: after {@code after} (exclusive), or at the partition's start when null;
     * {@code blocked} while a drop runs, when there is nothing to scan. Hand it back to {@link #addChunk}.
     */
    synchronized RebuildPosition rebuildPosition() {
        return new RebuildPosition(shadow == null ? null : cursor, generation, shadow != null, dropsRunning > 0);
    }

    record RebuildPosition(byte[] after, long generation, boolean started, boolean blocked) {
    }

    /** One scanned entry of a rebuild chunk. */
    record Scanned(byte[] storedKey, long hash, boolean tombstoneOnly) {
    }

    /**
     * Adds a rebuild chunk read on the writer thread. The first chunk of a rebuild sizes the shadow: from the
     * ready tree's count, or, for a tree that is not ready, from the chunk itself, since keys are spread
     * uniformly by their segment hash: {@code n} keys up to hash {@code h} suggest {@code n * 2^32 / h} in all.
     * A chunk read from anywhere but the tree's current position is void: the tree was reset or invalidated since
     * (another generation), a drop runs, or another chunk read from the same position counted first (two steps in
     * one batch); the caller simply asks for the next chunk.
     *
     * @param from the position the chunk was read from, as {@link #rebuildPosition} gave it
     * @return whether the tree is ready and the rebuild over
     */
    synchronized boolean addChunk(RebuildPosition from, List<Scanned> chunk, boolean end) {
        boolean current = from.generation() == generation && dropsRunning == 0 && !from.blocked()
                && from.started() == (shadow != null) && from.after() == (shadow == null ? null : cursor);
        if (!current) {
            return false;
        }
        if (shadow == null) {
            long estimate;
            if (main != null) {
                estimate = main.keyCount();
            } else if (end || chunk.isEmpty()) {
                estimate = chunk.size();
            } else {
                long last = Integer.toUnsignedLong(StoreKeys.segmentHash(chunk.get(chunk.size() - 1).storedKey()));
                estimate = (long) (chunk.size() * ((double) (1L << 32) / (last + 1)));
            }
            shadow = new TreeLevels(TreeLevels.bitsFor(estimate));
        }
        for (Scanned s : chunk) {
            shadow.apply(s.storedKey(), StoreKeys.segmentHash(s.storedKey()), 0, s.hash(), false, true,
                    s.tombstoneOnly());
        }
        if (!chunk.isEmpty()) {
            cursor = chunk.get(chunk.size() - 1).storedKey();
        }
        if (end) {
            main = shadow;
            shadow = null;
            cursor = null;
            rebuilds++;
            return true;
        }
        return false;
    }

    @Override
    public synchronized String toString() {
        return "HashTree[partition " + partition + (main == null ? ", not ready" : ", " + main.bits + " bits, "
                + main.keyCount() + " keys") + (shadow != null ? ", rebuilding" : "") + "]";
    }
}
