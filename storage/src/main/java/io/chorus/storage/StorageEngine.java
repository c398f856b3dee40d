package io.chorus.storage;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A node's local store: for each (partition, key), the {@link SiblingSet} this replica holds. The coordinator
 * computes the partition from the ring; partitions are {@code 0..}{@value #MAX_PARTITION} and each one is a
 * contiguous key range, so it can be scanned and dropped as a whole.
 *
 * <p>Writes are read-modify-write operations on the stored set, serialized per engine by one writer; the returned
 * future completes only once the write is durable as the configured {@link Durability} promises. A write that fails
 * its own checks (a limit, a throwing change function) fails only its own future and writes nothing. Reads are
 * synchronous and may block on disk, so never call them from a network event loop.
 *
 * <p>Keys are 1 to {@value #MAX_KEY_LENGTH} bytes. A missing key reads as {@link SiblingSet#empty()}.
 *
 * <p>Implementations are thread-safe. Futures may complete on the engine's writer thread: callers must not block
 * in non-async dependent stages (use the {@code *Async} variants for slow work).
 */
public interface StorageEngine extends AutoCloseable {

    /** The highest partition number; partitions are stored under a 2-byte big-endian prefix. */
    int MAX_PARTITION = 0xFFFF;

    /** LMDB's key limit (511 bytes) minus the 2-byte partition prefix and the 4-byte segment hash. */
    int MAX_KEY_LENGTH = 505;

    /**
     * The stored state of a key, or {@link SiblingSet#empty()} when absent. Runs an LMDB read on the calling
     * thread and sees every write whose future has completed.
     *
     * @throws io.chorus.core.error.ChorusException CORRUPT when the stored bytes do not decode, naming the key
     */
    SiblingSet get(int partition, byte[] key);

    /**
     * The stored state of a key in its canonical causal encoding ({@link CausalCodec}), the encoding of
     * {@link SiblingSet#empty()} when absent: for a replica that only passes its state on, without decoding and
     * encoding it again. Equal states have equal bytes. The bytes are not checked here: whoever uses them decodes
     * them, and bad bytes then fail there. Same thread rules as {@link #get}.
     */
    default byte[] getEncoded(int partition, byte[] key) {
        return CausalCodec.encode(get(partition, key));
    }

    /**
     * The entry hash the key's tree holds for it: {@link KeyHash#entryHash} of its stored bytes, 0 when it is
     * absent. Same thread rules as {@link #get}.
     */
    default long entryHash(int partition, byte[] key) {
        byte[] encoded = getEncoded(partition, key);
        return java.util.Arrays.equals(encoded, KeyHash.EMPTY_SET) ? 0 : KeyHash.entryHash(key, encoded);
    }

    /**
     * A general read-modify-write inside the writer's transaction: {@code change} gets the stored state (after
     * every earlier write to this key, including earlier ones in the same batch) and returns the new one. Because
     * all writes of an engine go through one writer, concurrent updates to a key serialize: a coordinator that
     * stamps its dot here can never hand out one counter twice.
     *
     * <p>{@code change} runs on the writer thread: keep it fast, free of side effects and do not call the engine's
     * writes from it. It may run more than once (a batch is retried after the map grows); only the run of the
     * committed attempt counts. Returning the stored state unchanged writes nothing.
     *
     * <p>This is a client's write at its coordinator, held to the engine's limits (value, object and clock size,
     * sibling count); merges of replica states go through {@link #put}, which is not.
     *
     * @return completes with the stored result once the batch committed; fails with a
     *     {@link io.chorus.core.error.LimitExceededException} (TOO_LARGE, TOO_MANY_SIBLINGS), a
     *     {@link StorageFullException}, or whatever {@code change} threw
     */
    CompletableFuture<SiblingSet> update(int partition, byte[] key, UnaryOperator<SiblingSet> change);

    /**
     * Replica sync: merges {@code incoming} into the stored state (DVVSet merge) and stores the result, whatever
     * the write limits say (replicas that could not merge would never converge); a result over them is counted
     * ({@link StorageStats#mergesOverLimit}) and logged. Implementations that enforce limits override this.
     */
    default CompletableFuture<SiblingSet> put(int partition, byte[] key, SiblingSet incoming) {
        Objects.requireNonNull(incoming, "incoming");
        return update(partition, key, stored -> stored.merge(incoming));
    }

    /**
     * A coordinator's delete: writes a tombstone sibling under a fresh dot of {@code actor}, dropping what
     * {@code context} covers. The key reads as {@link SiblingSet#isDeleted()} afterwards.
     */
    default CompletableFuture<SiblingSet> delete(int partition, byte[] key, VersionVector context, ActorId actor,
            long timestamp) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(actor, "actor");
        return update(partition, key, stored -> stored.update(context, actor, null, timestamp));
    }

    /**
     * Visits the keys of one partition in stored order until the visitor returns false: by
     * {@link KeyHash#segmentHash segment hash} (unsigned), then by the key's unsigned bytes, so not in key order.
     * The scan reads in short chunks and calls the visitor outside any transaction, so it holds no LMDB snapshot
     * between chunks and the visitor may call the engine. It is not a snapshot: each visited value is a committed
     * state, and keys written or dropped during the scan may or may not be seen; no key is visited twice.
     */
    void scan(int partition, PartitionVisitor visitor);

    /**
     * Deletes every key of the partition. Large partitions are deleted over several transactions, interleaved
     * with other writes, so a crash part way leaves part of the partition; the future completes when none is left.
     */
    CompletableFuture<Void> dropPartition(int partition);

    /**
     * The hash trees of this engine's partitions, kept in step with every committed write (see {@link HashTree}).
     */
    HashTrees trees();

    /**
     * The keys and stored states of the listed tree segments of a partition at resolution {@code bits}
     * ({@link KeyHash#segment}), in stored order: by segment hash, then key. Lists entries until about
     * {@code maxBytes} of keys and states are taken (at least one entry), then stops with {@code truncated}. With
     * {@code resumeAfter} (a key, or null) it starts after that key's place in the order, for the next page of a
     * truncated listing. Reads, so never on an event loop.
     *
     * @param segments ascending segment indexes, each below {@code 2^bits}
     */
    SegmentEntries segmentEntries(int partition, int bits, int[] segments, byte[] resumeAfter, int maxBytes);

    /**
     * Collects a tombstone: deletes {@code key} if, when the delete runs, every sibling it holds is a tombstone
     * and its entry hash is still {@code expectedHash} (so any write that arrived since the caller checked its
     * replicas keeps it). The key's tree entry goes with it.
     *
     * @return completes with whether the key was deleted
     */
    CompletableFuture<Boolean> purgeTombstone(int partition, byte[] key, long expectedHash);

    /**
     * One step of rebuilding a partition's tree by scanning it: up to {@code maxKeys} keys, read on the writer
     * between other writes, so a rebuild never holds foreground writes for more than a chunk. Starts a rebuild if
     * none is running; a ready tree keeps serving until the rebuild replaces it.
     *
     * @return completes with the number of keys scanned and whether the tree is ready and rebuilt; call again
     *     until it is
     */
    CompletableFuture<RebuildProgress> rebuildTree(int partition, int maxKeys);

    /** What one {@link #rebuildTree} step did. */
    record RebuildProgress(int keysScanned, boolean done) {
    }

    /**
     * The actor epoch of this data directory: chosen at random when the directory is first created and kept in
     * it, so a wiped directory comes back as a new actor and never reuses dot counters.
     */
    long epoch();

    /**
     * A named byte-string store in the same environment, written through the same group-commit writer (for the
     * hint store and other node-local state). Opens (creating if needed) on first use, which may block briefly;
     * call it at startup, never from the writer thread.
     */
    KeyValueArea area(String name);

    /** A cheap snapshot of counters for monitoring. */
    StorageStats stats();

    /**
     * Commits the writes already queued, fails later ones, waits for running reads to finish and closes the
     * environment. Safe while other threads read: a read in progress completes, a later one (or the next chunk of
     * a running scan) fails, as do later writes, with {@code ChorusException(UNAVAILABLE)}. Idempotent; callable
     * from any thread, including a future callback on the writer thread (it then returns before the environment
     * is closed, and a later close() from another thread waits for that).
     */
    @Override
    void close();
}
