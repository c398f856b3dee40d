package io.chorus.coordinator;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.Failures;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.storage.KeyHash;
import io.chorus.storage.HashTree;
import io.chorus.storage.SegmentEntries;
import io.chorus.storage.StorageEngine;
import io.chorus.storage.StoredEntry;
import io.chorus.storage.TreeDifference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * One sync of a partition between this node and a peer, driven from this side; the peer only answers.
 *
 * <ol>
 *   <li>Compare roots: equal roots end it ({@code IN_SYNC}), two small messages in all.
 *   <li>Descend from the root at the finer resolution both trees have, asking for the children of at most
 *       {@value #MAX_PARENTS} differing nodes a message, down to the differing leaf segments.
 *   <li>For at most {@value #MAX_SEGMENTS} differing segments at a time: list the keys of those segments on both
 *       sides, with causal summaries (dots, no values) from the peer, and decide per key what the causal merge
 *       would change on each side ({@link Summaries#decide}).
 *   <li>Fetch the full states this side lacks and merge them here; push the states the peer lacks and have it
 *       merge them. Both sides then hold the merge: identical.
 * </ol>
 * Peers' listings are checked ({@link #checkListing}): a peer that lies fails the sync, never loops it.
 * Nothing is remembered between syncs: a sync cut short (a crash, a timeout) leaves what it merged merged, and
 * the next one starts again from the roots, where only what still differs shows. Steps after the first run on
 * {@code background} (they read the store), never on the thread that completed a reply. Each step spends its keys
 * and bytes on the pacer first, so a large divergence moves at the background budget's rate.
 */
final class PartitionSync {

    static final int MAX_PARENTS = 256;
    static final int MAX_SEGMENTS = 256;
    static final int MAX_KEYS = 1024;
    /** A page of summaries or a message of pushed states: small enough to interleave with foreground replies. */
    static final int PAGE_BYTES = 256 << 10;

    /** Paces background work: completes when {@code keys} and {@code bytes} may be spent. */
    @FunctionalInterface
    interface Pacer {
        CompletableFuture<Void> spend(long keys, long bytes);

        Pacer NONE = (k, b) -> CompletableFuture.completedFuture(null);
    }

    private final int partition;
    private final StorageEngine storage;
    private final SyncPeer peer;
    private final Executor background;
    private final Pacer pacer;
    private final LongSupplier nanoTime;
    private final ToIntFunction<byte[]> partitionOf;
    private final long startNanos;
    private final long sentAtStart;
    private final long receivedAtStart;
    private long hashesCompared;
    private long segmentsDiffering;
    private long keysCompared;
    private long keysFetched;
    private long keysPushed;

    private PartitionSync(int partition, StorageEngine storage, SyncPeer peer, Executor background, Pacer pacer,
            LongSupplier nanoTime, ToIntFunction<byte[]> partitionOf) {
        this.partitionOf = partitionOf;
        this.partition = partition;
        this.storage = storage;
        this.peer = peer;
        this.background = background;
        this.pacer = pacer;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
        this.sentAtStart = peer.bytesSent();
        this.receivedAtStart = peer.bytesReceived();
    }

    /** Syncs {@code partition} with {@code peer}; never fails: the report says how it ended. */
    static CompletableFuture<SyncReport> run(int partition, StorageEngine storage, SyncPeer peer, Executor background,
            Pacer pacer, LongSupplier nanoTime, ToIntFunction<byte[]> partitionOf) {
        PartitionSync sync = new PartitionSync(partition, storage, peer, background, pacer, nanoTime, partitionOf);
        CompletableFuture<SyncReport> result;
        try {
            result = sync.start();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.exceptionally(sync::failed);
    }

    /** Ends a sync early with DEFERRED; thrown inside the steps. */
    private static final class Deferred extends RuntimeException {
        Deferred(String why) {
            super(why, null, false, false);
        }
    }

    private CompletableFuture<SyncReport> start() {
        HashTree tree = storage.trees().tree(partition);
        if (!tree.isReady()) {
            return CompletableFuture.completedFuture(report(SyncReport.Outcome.DEFERRED, "the local tree is not ready"));
        }
        return peer.root(partition).thenComposeAsync(root -> {
            hashesCompared++;
            switch (root.readiness()) {
                case NOT_READY -> throw new Deferred(peer.node() + "'s tree is not ready");
                case RING_DIFFERS -> throw new Deferred(peer.node() + " has another ring version");
                default -> {
                }
            }
            HashTree mine = storage.trees().tree(partition);
            if (!mine.isReady()) {
                throw new Deferred("the local tree is not ready");
            }
            if (mine.root() == root.root()) {
                return CompletableFuture.completedFuture(report(SyncReport.Outcome.IN_SYNC, ""));
            }
            int bits = Math.min(mine.bits(), root.bits());
            if (bits == 0) {
                throw new Deferred("a tree without leaves");
            }
            boolean peerEmpty = root.keyCount() == 0;
            CompletableFuture<int[]> segments = peerEmpty || mine.keyCount() == 0
                    ? CompletableFuture.completedFuture(allSegments(bits))
                    : descend(bits, new int[] {0}, 0);
            return segments.thenComposeAsync(s -> {
                segmentsDiffering = s.length;
                return repair(bits, s, 0, peerEmpty);
            }, background).thenApply(v -> report(SyncReport.Outcome.REPAIRED, ""));
        }, background);
    }

    /** One side holds nothing: every segment differs (where the other has keys), with no descent to find it. */
    private static int[] allSegments(int bits) {
        int[] all = new int[1 << bits];
        Arrays.setAll(all, i -> i);
        return all;
    }

    /** The differing leaves under {@code level} (node indexes at {@code parentBits} whose hashes differ). */
    private CompletableFuture<int[]> descend(int bits, int[] level, int parentBits) {
        if (parentBits == bits || level.length == 0) {
            return CompletableFuture.completedFuture(level);
        }
        return descendPage(bits, level, parentBits, 0, new ArrayList<>()).thenComposeAsync(
                next -> descend(bits, next, TreeDifference.childBits(parentBits, bits)), background);
    }

    private CompletableFuture<int[]> descendPage(int bits, int[] level, int parentBits, int from, List<int[]> found) {
        if (from >= level.length) {
            return CompletableFuture.completedFuture(found.stream().flatMapToInt(Arrays::stream).toArray());
        }
        int[] parents = Arrays.copyOfRange(level, from, Math.min(level.length, from + MAX_PARENTS));
        return peer.children(partition, bits, parentBits, parents).thenComposeAsync(theirs -> {
            if (theirs == null) {
                throw new Deferred(peer.node() + " could not answer for its tree at " + bits + " bits");
            }
            long[] mine = storage.trees().tree(partition).children(bits, parentBits, parents);
            if (mine == null) {
                throw new Deferred("the local tree changed while it was compared");
            }
            hashesCompared += mine.length;
            found.add(TreeDifference.differingChildren(parents, parentBits, bits, mine, theirs));
            return descendPage(bits, level, parentBits, from + MAX_PARENTS, found);
        }, background);
    }

    private CompletableFuture<Void> repair(int bits, int[] segments, int from, boolean peerEmpty) {
        if (from >= segments.length) {
            return CompletableFuture.completedFuture(null);
        }
        int[] page = Arrays.copyOfRange(segments, from, Math.min(segments.length, from + MAX_SEGMENTS));
        return compareRange(bits, page, null, peerEmpty)
                .thenComposeAsync(v -> repair(bits, segments, from + MAX_SEGMENTS, peerEmpty), background);
    }

    /**
     * One step of a merge-join of the two sides' listings of {@code page}, both in stored order (segment hash,
     * then key), each a page of at most {@value #PAGE_BYTES} bytes from after {@code resumeAfter}: the keys up to
     * the nearer end of the two pages are compared, fetched and pushed, and the next step resumes after them. So a
     * sync holds two pages at a time, however many keys the segments hold (a wiped node's peer lists its whole
     * partition through here).
     */
    private CompletableFuture<Void> compareRange(int bits, int[] page, byte[] resumeAfter, boolean peerEmpty) {
        CompletableFuture<SyncPeer.SummaryPage> theirs = peerEmpty
                ? CompletableFuture.completedFuture(new SyncPeer.SummaryPage(List.of(), false))
                : peer.summaries(partition, bits, page, resumeAfter, PAGE_BYTES);
        return theirs.thenComposeAsync(p -> {
            if (p == null) {
                throw new Deferred(peer.node() + " could not list its segments");
            }
            checkListing(bits, page, resumeAfter, p);
            SegmentEntries local = storage.segmentEntries(partition, bits, page, resumeAfter, PAGE_BYTES);
            byte[] bound = null; // null: both listings reached the end of the page's segments
            if (p.truncated()) {
                bound = p.summaries().get(p.summaries().size() - 1).key();
            }
            if (local.truncated() && !local.entries().isEmpty()) {
                byte[] last = local.entries().get(local.entries().size() - 1).key();
                bound = bound == null || compareStored(last, bound) < 0 ? last : bound;
            }
            Map<ByteBuffer, SiblingSet> mine = new LinkedHashMap<>();
            for (StoredEntry e : local.entries()) {
                if (bound == null || compareStored(e.key(), bound) <= 0) {
                    mine.put(ByteBuffer.wrap(e.key()), Summaries.summary(CausalCodec.decode(e.encoded())));
                }
            }
            Map<ByteBuffer, SiblingSet> summaries = new LinkedHashMap<>();
            long bytes = 0;
            for (SyncPeer.KeyState s : p.summaries()) {
                bytes += s.key().length + CausalCodec.encodedSize(s.state());
                if (bound == null || compareStored(s.key(), bound) <= 0) {
                    summaries.put(ByteBuffer.wrap(s.key()), s.state());
                }
            }
            List<byte[]> toFetch = new ArrayList<>();
            List<byte[]> toPush = new ArrayList<>();
            for (Map.Entry<ByteBuffer, SiblingSet> e : mine.entrySet()) {
                classify(e.getKey(), e.getValue(), summaries.getOrDefault(e.getKey(), SiblingSet.empty()), toFetch,
                        toPush);
            }
            for (Map.Entry<ByteBuffer, SiblingSet> e : summaries.entrySet()) {
                if (!mine.containsKey(e.getKey())) {
                    classify(e.getKey(), SiblingSet.empty(), e.getValue(), toFetch, toPush);
                }
            }
            keysCompared += mine.size() + summaries.size() - (long) overlap(mine, summaries);
            byte[] next = bound;
            // Listing costs bytes; a key of the budget is a state moved (fetched or pushed), spent when it moves.
            return pacer.spend(0, bytes)
                    .thenComposeAsync(v -> fetch(toFetch, 0), background)
                    .thenComposeAsync(v -> push(toPush, 0), background)
                    .thenComposeAsync(v -> next == null ? CompletableFuture.<Void>completedFuture(null)
                            : compareRange(bits, page, next, peerEmpty), background);
        }, background);
    }

    /**
     * A peer's listing must be what was asked for: keys of this partition, in the listed segments, strictly after
     * the resume key and ascending in stored order, and a truncated page never empty. Anything else could store
     * data where no read finds it, or loop for ever on a page that does not advance.
     */
    private void checkListing(int bits, int[] page, byte[] resumeAfter, SyncPeer.SummaryPage p) {
        if (p.truncated() && p.summaries().isEmpty()) {
            throw new MalformedEncodingException(peer.node() + " sent an empty page it called truncated");
        }
        byte[] previous = resumeAfter;
        for (SyncPeer.KeyState s : p.summaries()) {
            byte[] key = s.key();
            if (partitionOf.applyAsInt(key) != partition) {
                throw new MalformedEncodingException(peer.node() + " listed a key of partition "
                        + partitionOf.applyAsInt(key) + " for partition " + partition);
            }
            if (Arrays.binarySearch(page, KeyHash.segmentOf(key, bits)) < 0) {
                throw new MalformedEncodingException(peer.node() + " listed a key outside the segments asked for");
            }
            if (previous != null && compareStored(previous, key) >= 0) {
                throw new MalformedEncodingException(peer.node() + " listed keys out of order");
            }
            previous = key;
        }
    }

    /** Stored order: by unsigned segment hash, then by unsigned key bytes. */
    static int compareStored(byte[] a, byte[] b) {
        int c = Integer.compareUnsigned(KeyHash.segmentHash(a), KeyHash.segmentHash(b));
        return c != 0 ? c : Arrays.compareUnsigned(a, b);
    }

    private static int overlap(Map<ByteBuffer, SiblingSet> a, Map<ByteBuffer, SiblingSet> b) {
        int n = 0;
        for (ByteBuffer k : a.keySet()) {
            if (b.containsKey(k)) {
                n++;
            }
        }
        return n;
    }

    private static void classify(ByteBuffer key, SiblingSet mine, SiblingSet theirs, List<byte[]> toFetch,
            List<byte[]> toPush) {
        switch (Summaries.decide(mine, theirs)) {
            case FETCH -> toFetch.add(key.array());
            case PUSH -> toPush.add(key.array());
            case BOTH -> {
                toFetch.add(key.array());
                toPush.add(key.array());
            }
            default -> {
            }
        }
    }

    private CompletableFuture<Void> fetch(List<byte[]> keys, int from) {
        if (from >= keys.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<byte[]> batch = keys.subList(from, Math.min(keys.size(), from + MAX_KEYS));
        return pacer.spend(batch.size(), 0).thenCompose(v -> peer.fetch(partition, batch)).thenComposeAsync(states -> {
            if (states.isEmpty()) {
                throw new IllegalStateException(peer.node() + " answered a fetch with no state");
            }
            List<CompletableFuture<?>> merges = new ArrayList<>(states.size());
            long bytes = 0;
            for (SyncPeer.KeyState s : states) {
                if (!s.state().isEmpty()) {
                    merges.add(storage.put(partition, s.key(), s.state()));
                    bytes += s.key().length + CausalCodec.encodedSize(s.state());
                }
            }
            keysFetched += states.size();
            // The bytes are known only now: spent after the fact, so the next step waits for them. The merges
            // complete on the storage writer, which must not go on to read the store: the next step hops.
            CompletableFuture<Void> paced = pacer.spend(0, bytes);
            return CompletableFuture.allOf(merges.toArray(new CompletableFuture<?>[0])).thenCombine(paced, (a, b) -> b)
                    .thenComposeAsync(v -> fetch(keys, from + states.size()), background);
        }, background);
    }

    /** Sends this side's current states, read now (they may have grown since the comparison: all the better). */
    private CompletableFuture<Void> push(List<byte[]> keys, int from) {
        if (from >= keys.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<SyncPeer.KeyState> batch = new ArrayList<>();
        long bytes = 0;
        int i = from;
        while (i < keys.size() && batch.size() < MAX_KEYS) {
            byte[] key = keys.get(i);
            SiblingSet state = storage.get(partition, key);
            long size = key.length + CausalCodec.encodedSize(state);
            if (!batch.isEmpty() && bytes + size > PAGE_BYTES) {
                break; // it goes first in the next message: one state alone always fits a frame
            }
            i++;
            if (!state.isEmpty()) {
                batch.add(new SyncPeer.KeyState(key, state));
                bytes += size;
            }
        }
        int next = i;
        if (batch.isEmpty()) {
            return push(keys, next);
        }
        long spent = bytes;
        return pacer.spend(batch.size(), spent).thenCompose(v -> peer.push(partition, batch)).thenComposeAsync(v -> {
            keysPushed += batch.size();
            return push(keys, next);
        }, background);
    }

    private SyncReport failed(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof Deferred d) {
            return report(SyncReport.Outcome.DEFERRED, d.getMessage());
        }
        return report(SyncReport.Outcome.FAILED, String.valueOf(Failures.unwrap(cause)));
    }

    private SyncReport report(SyncReport.Outcome outcome, String detail) {
        return new SyncReport(partition, peer.node(), outcome, detail, hashesCompared, segmentsDiffering,
                keysCompared, keysFetched, keysPushed, peer.bytesSent() - sentAtStart,
                peer.bytesReceived() - receivedAtStart, nanoTime.getAsLong() - startNanos);
    }
}
