package io.chorus.storage;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.CopyFlags;
import org.lmdbjava.Cursor;
import org.lmdbjava.GetOp;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StorageEngine} on LMDB: one environment per data directory, the sibling sets in one database keyed by
 * {@code partition:u16be || segmentHash:u32be || key} ({@link StoreKeys}), metadata and {@link KeyValueArea}s in
 * their own named databases; the per-partition {@link HashTrees} in memory, kept in step with every commit and
 * saved at a clean close ({@link TreeFile}).
 *
 * <p>Writes go through a {@link GroupCommitWriter}: one thread, one transaction and one fsync per batch of
 * whatever writes are waiting. Reads run on the caller's thread in a per-thread read transaction (MDB_NOTLS),
 * decoding straight from LMDB's memory; the transaction stays open between reads until the next commit, then is
 * reset and renewed by the next read ({@link ReadContexts}). When the map fills, the writer grows it
 * (doubling up to {@link StorageConfig#maxMapSize()}) behind a {@link ReadGate} that briefly holds readers out,
 * because LMDB remaps the file; past the maximum, or when the disk is full, writes fail with
 * {@link StorageFullException} and everything committed before stays readable.
 *
 * <p>Open one engine per directory per process: LMDB's file locks do not survive a second open of the same
 * environment in one process. Thread-safe; {@link #close()} may run while reads are in flight (it waits for them).
 */
public final class LmdbStorageEngine implements StorageEngine {

    static final String DATA_DB = "chorus.data";
    static final String AREA_DB_PREFIX = "area:";
    /** What an area record may add around a stored set: at most a key (2 + 505 bytes) and a few varints. */
    static final int AREA_RECORD_OVERHEAD = 1024;
    private static final byte[] EMPTY_ENCODED = CausalCodec.encode(SiblingSet.empty());

    private static final Logger LOG = LoggerFactory.getLogger(LmdbStorageEngine.class);

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> data;
    private final Dbi<ByteBuffer> meta;
    private final Path dataDir;
    private final SecureRandom random = new SecureRandom();
    private final long epoch;
    private final HashTrees trees;
    private final boolean hashTrees;
    private final WriteLimits limits;
    private final int maxAreaValueSize;
    private final ReadGate gate = new ReadGate();
    private final ReadContexts readers;
    private final MapGrowth growth;
    private final long pageSize;
    /**
     * The pages used, read on the writer after each commit: reading the environment's info touches the map, which
     * a growth remaps on the writer, so no other thread may read it without the read gate.
     */
    private volatile long usedBytes;
    private final BatchCommitter committer;
    private final GroupCommitWriter writer;
    private final ConcurrentHashMap<String, CompletableFuture<LmdbKeyValueArea>> areas = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder mergesOverLimit = new LongAdder();

    private LmdbStorageEngine(StorageConfig config, Env<ByteBuffer> env) {
        this.env = env;
        this.data = env.openDbi(DATA_DB, DbiFlags.MDB_CREATE);
        this.meta = env.openDbi(MetaStore.DB_NAME, DbiFlags.MDB_CREATE);
        this.dataDir = config.dataDir();
        MetaStore.Opened opened = MetaStore.loadOrCreateEpoch(env, meta, () -> random.nextLong() & Long.MAX_VALUE);
        this.epoch = RestoreMarker.present(dataDir) ? newEpochAfterRestore(opened.epoch()) : opened.epoch();
        this.hashTrees = config.hashTrees();
        this.trees = openTrees(opened.created());
        this.limits = WriteLimits.of(config);
        // An area's record may wrap a whole stored set (a hint: the set, its key and a few fields), so it gets
        // room for the largest set and what a record adds around it.
        this.maxAreaValueSize = config.maxObjectSize() + AREA_RECORD_OVERHEAD;
        // Leave reader slots for transient transactions (reentrant reads, threads beyond the cache).
        int reserve = Math.max(4, config.maxReaders() / 8);
        this.readers = new ReadContexts(env, gate, config.maxReaders() - reserve);
        this.growth = new MapGrowth(env, gate, env.info().mapSize, config.maxMapSize());
        this.pageSize = env.stat().pageSize;
        this.usedBytes = usedNow();
        this.committer = new BatchCommitter(env, growth, meta, () -> usableSpace(config.dataDir()),
                readers::committed);
        this.writer = new GroupCommitWriter(committer, config.maxBatchSize(), config.maxPendingWrites(),
                config.writerThreadFactory(), (writes, nanos) -> {
                    usedBytes = usedNow();
                    config.batchObserver().committed(writes, nanos);
                }, this::teardown);
    }

    /**
     * Opens (creating if needed) the environment in {@code config.dataDir()} and starts the writer thread.
     *
     * @throws ChorusException CORRUPT for an unsupported or damaged environment, INTERNAL if LMDB fails to open
     */
    public static LmdbStorageEngine open(StorageConfig config) {
        Objects.requireNonNull(config, "config");
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        EnvFlags[] flags = config.durability() == Durability.NOSYNC
                ? new EnvFlags[] {EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC}
                : new EnvFlags[] {EnvFlags.MDB_NOTLS};
        Env<ByteBuffer> env;
        try {
            env = Env.create(ByteBufferProxy.PROXY_OPTIMAL)
                    .setMapSize(config.initialMapSize())
                    .setMaxDbs(config.maxAreas() + 2)
                    .setMaxReaders(config.maxReaders())
                    .open(config.dataDir().toFile(), flags);
        } catch (LmdbException e) {
            throw LmdbErrors.toChorus(e, "opening LMDB environment in " + config.dataDir());
        }
        try {
            LmdbStorageEngine engine = new LmdbStorageEngine(config, env);
            engine.writer.start();
            return engine;
        } catch (RuntimeException e) {
            env.close();
            throw e instanceof LmdbException l ? LmdbErrors.toChorus(l, "opening " + config.dataDir()) : e;
        }
    }

    /**
     * The store is a copy ({@link RestoreMarker}): its epoch was used on after the copy was made, so take a new one,
     * commit and sync it (also under NOSYNC), and only then remove the marker.
     */
    private long newEpochAfterRestore(long old) {
        long fresh;
        do {
            fresh = random.nextLong() & Long.MAX_VALUE;
        } while (fresh == old);
        MetaStore.replaceEpoch(env, meta, fresh);
        env.sync(true);
        LOG.info("{} is a restored copy: storage epoch {} replaced by {}, so that its writes never reuse a dot",
                dataDir, old, fresh);
        try {
            RestoreMarker.remove(dataDir);
        } catch (IOException e) {
            // The next open takes yet another epoch: harmless.
            LOG.warn("could not remove {} in {}: {}", RestoreMarker.FILE_NAME, dataDir, e.toString());
        }
        return fresh;
    }

    /**
     * Writes a consistent copy of the store into {@code target} (created if missing, else it must be empty), with a
     * {@link RestoreMarker}, while the store keeps serving: LMDB copies (compacting) the snapshot of one read
     * transaction, so the copy holds exactly the writes committed before it began, and writers go on meanwhile. The
     * copy holds a reader's place in the {@link ReadGate} for its duration, so a map growth (and {@link #close})
     * waits for it to end. The copy's data file is forced to disk. Not thread-confined; run it off the event loop
     * and off the writer (it takes as long as writing the whole store).
     *
     * @return the size in bytes of the copy's data file
     * @throws IllegalArgumentException when {@code target} exists and is not an empty directory
     * @throws IOException when the target cannot be listed or the copy forced to disk
     * @throws ChorusException when LMDB fails to copy (a full disk, an I/O error), or the engine is closed
     */
    public long backup(Path target) throws IOException {
        Objects.requireNonNull(target, "target");
        Files.createDirectories(target);
        try (java.util.stream.Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(target + " is not empty");
            }
        }
        // The copy holds a reader for its whole length, and a map growth would have to wait for every reader: the
        // writer, and each reader arriving after it, would stall until the copy ends. So room is made first
        // (twice what is used, and 64 MiB more, as writes during the copy cannot reuse freed pages), and while the
        // copy runs the map is not grown: a write that still finds it full fails (STORAGE_FULL) instead.
        growth.wantAtLeast(2 * usedBytes + (64L << 20));
        join(writer.submit(new WriteOp<Void>() {
            @Override
            Void apply(WriteContext ctx) {
                return null; // a turn of the writer, which grows the map to what is wanted before the batch
            }
        }));
        growth.hold();
        try {
            readers.read(r -> {
                env.copy(target.toFile(), CopyFlags.MDB_CP_COMPACT);
                return null;
            }, () -> "copying the store to " + target);
        } finally {
            growth.release();
        }
        Path file = target.resolve("data.mdb");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        RestoreMarker.write(target);
        return Files.size(file);
    }

    /**
     * The trees to start with: a new directory's are its (empty) data; any other's come from the tree file of a
     * clean close when its token is the meta database's, else every tree is not ready, to be rebuilt by scans. The
     * token and the file are deleted here, before the writer starts: a crash from now on leaves no valid file.
     * With the trees off nothing is loaded (writes would not keep them), but the file is used up all the same.
     */
    private HashTrees openTrees(boolean created) {
        OptionalLong token = MetaStore.treeToken(env, meta);
        HashTrees loaded = null;
        String why;
        try {
            TreeFile.Contents file = TreeFile.read(dataDir);
            if (token.isEmpty()) {
                why = "the tree file is not from the last clean close";
            } else if (file.token() != token.getAsLong()) {
                why = "the tree file's token is not the store's (a file from an earlier close)";
            } else {
                loaded = HashTrees.load(file.trees());
                why = null;
            }
        } catch (NoSuchFileException e) {
            why = "no tree file from a clean close";
        } catch (TreeFile.InvalidTreeFile e) {
            why = "the tree file is damaged (" + e.getMessage() + ")";
        } catch (IOException | RuntimeException e) {
            why = "the tree file could not be read (" + e + ")";
        }
        if (token.isPresent()) {
            // Committed before any write: every later commit's snapshot lacks the token, whatever the durability.
            MetaStore.deleteTreeToken(env, meta);
        }
        try {
            TreeFile.delete(dataDir);
        } catch (IOException e) {
            // Harmless: without the token the file is void.
            LOG.warn("could not delete the used tree file in {}: {}", dataDir, e.toString());
        }
        if (!hashTrees) {
            return new HashTrees(false);
        }
        if (loaded != null) {
            LOG.debug("hash trees of {} loaded from the tree file", dataDir);
            return loaded;
        }
        if (created) {
            return new HashTrees(true);
        }
        LOG.info("hash trees of {} will be rebuilt by scans: {}", dataDir, why);
        return new HashTrees(false);
    }

    /**
     * At a clean close, on the writer thread after its last batch: writes every tree to the tree file, then its
     * token to the meta database. On any failure there is no valid pair and the next open rebuilds.
     */
    private void saveTrees() {
        long token = random.nextLong();
        try {
            TreeFile.write(dataDir, token, trees); // forced to disk before the token is committed
            MetaStore.putTreeToken(env, meta, token);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not save the hash trees of {} at close ({}); the next open rebuilds them", dataDir,
                    e.toString());
            try {
                TreeFile.delete(dataDir);
            } catch (IOException ignored) {
                // without its token the file is void anyway
            }
        }
    }

    @Override
    public SiblingSet get(int partition, byte[] key) {
        return read(partition, key, stored -> stored == null ? SiblingSet.empty()
                : StoredSets.decode(stored, partition, key));
    }

    @Override
    public byte[] getEncoded(int partition, byte[] key) {
        return read(partition, key, stored -> stored == null ? EMPTY_ENCODED.clone() : StoreKeys.copy(stored, 0));
    }

    /** Looks the key up in this thread's read transaction; {@code view} gets LMDB's buffer (or null) inside it. */
    private <T> T read(int partition, byte[] key, Function<ByteBuffer, T> view) {
        StoreKeys.checkPartition(partition);
        StoreKeys.checkKey(key, MAX_KEY_LENGTH);
        return readers.read(r -> view.apply(data.get(r.txn(), r.key(partition, key))),
                () -> "reading partition " + partition + " key " + StoreKeys.hex(key, 0));
    }

    @Override
    public CompletableFuture<SiblingSet> update(int partition, byte[] key, UnaryOperator<SiblingSet> change) {
        Objects.requireNonNull(change, "change");
        return submit(partition, key, storedKey -> new SiblingUpdate(data, storedKey, change, limits,
                treeOf(partition)));
    }

    @Override
    public CompletableFuture<SiblingSet> put(int partition, byte[] key, SiblingSet incoming) {
        Objects.requireNonNull(incoming, "incoming");
        return submit(partition, key, storedKey -> new SiblingUpdate(data, storedKey,
                stored -> stored.merge(incoming), limits, mergesOverLimit, treeOf(partition)));
    }

    private <T> CompletableFuture<T> submit(int partition, byte[] key, Function<byte[], WriteOp<T>> op) {
        byte[] storedKey;
        try {
            storedKey = StoreKeys.dataKey(partition, key);
        } catch (ChorusException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(op.apply(storedKey));
    }

    @Override
    public void scan(int partition, PartitionVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        ChunkedScan.run(readers, data, StoreKeys.prefix(partition),
                (storedKey, value) -> StoredSets.decode(value, storedKey),
                (storedKey, set) -> visitor.visit(ChunkedScan.stripPrefix(storedKey), set));
    }

    @Override
    public CompletableFuture<Void> dropPartition(int partition) {
        byte[] prefix = StoreKeys.prefix(partition);
        if (!hashTrees) {
            // No tree to empty: one made ready here would never see a later write.
            return writer.submit(new PartitionDrop(data, prefix, op -> writer.submit(op), () -> { }));
        }
        HashTree tree = trees.tree(partition);
        tree.dropStarted();
        // The tree is emptied by the drop's last chunk itself, on the writer right after its commit, before any
        // later write is applied to the tree. (A stage added to the returned future would run on the caller's
        // thread if the drop were done before it was added, after writes that the tree then never sees.)
        PartitionDrop drop = new PartitionDrop(data, prefix, op -> writer.submit(op), () -> tree.dropEnded(true));
        drop.future.whenComplete((v, error) -> {
            if (error != null) {
                tree.dropEnded(false); // part of the partition may be left: rebuild it
            }
        });
        return writer.submit(drop);
    }

    /** The partition's tree, or null when the trees are off (writes then skip their hashes). */
    private HashTree treeOf(int partition) {
        return hashTrees ? trees.tree(partition) : null;
    }

    @Override
    public HashTrees trees() {
        return trees;
    }

    @Override
    public SegmentEntries segmentEntries(int partition, int bits, int[] segments, byte[] resumeAfter,
            int maxBytes) {
        SegmentListing listing = SegmentListing.of(partition, bits, segments, resumeAfter, maxBytes);
        return readers.read(r -> {
            try (Cursor<ByteBuffer> c = data.openCursor(r.txn())) {
                return listing.run(new SegmentListing.Source() {
                    @Override
                    public boolean seek(byte[] from) {
                        return c.get(r.key(from), GetOp.MDB_SET_RANGE);
                    }

                    @Override
                    public boolean next() {
                        return c.next();
                    }

                    @Override
                    public byte[] key() {
                        return StoreKeys.copy(c.key(), 0);
                    }

                    @Override
                    public byte[] value() {
                        return StoreKeys.copy(c.val(), 0);
                    }
                });
            }
        }, () -> "listing segments of partition " + partition);
    }

    @Override
    public CompletableFuture<Boolean> purgeTombstone(int partition, byte[] key, long expectedHash) {
        return submit(partition, key, storedKey -> new TombstonePurge(data, storedKey, expectedHash,
                trees.tree(partition)));
    }

    @Override
    public CompletableFuture<RebuildProgress> rebuildTree(int partition, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1, got " + maxKeys);
        }
        if (!hashTrees) {
            return CompletableFuture.failedFuture(new IllegalStateException("hash trees are off in this engine"));
        }
        return writer.submit(new TreeRebuildStep(data, trees.tree(partition), maxKeys));
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public KeyValueArea area(String name) {
        StoreKeys.checkAreaName(name);
        CompletableFuture<LmdbKeyValueArea> opening = areas.get(name);
        if (opening == null) {
            // The first caller asks the writer to open the database; others wait on the same future. No lock is
            // held while the writer commits.
            CompletableFuture<LmdbKeyValueArea> mine = new CompletableFuture<>();
            opening = areas.putIfAbsent(name, mine);
            if (opening == null) {
                opening = mine;
                byte[] dbName = (AREA_DB_PREFIX + name).getBytes(StandardCharsets.UTF_8);
                writer.submit(new AreaWrites.Open(env, dbName)).whenComplete((dbi, error) -> {
                    if (error != null) {
                        areas.remove(name, mine); // a later call may try again
                        mine.completeExceptionally(error);
                    } else {
                        mine.complete(new LmdbKeyValueArea(name, dbi, readers, writer, maxAreaValueSize));
                    }
                });
            }
        }
        if (!opening.isDone() && writer.isWriterThread()) {
            throw new IllegalStateException("area() waits for the writer; do not call it from the writer thread");
        }
        return join(opening);
    }

    @Override
    public StorageStats stats() {
        return new StorageStats(committer.batchesCommitted(), writer.writesCommitted(), writer.writesRejected(),
                growth.growths(), growth.mapSize(), usedBytes, writer.pending(), mergesOverLimit.sum());
    }

    /** Writer thread (or before it starts): the high-water mark of LMDB's pages. */
    private long usedNow() {
        return (env.info().lastPageNumber + 1) * pageSize;
    }

    /**
     * As {@link StorageEngine#close}; after the last batch the writer also saves the hash trees to the
     * {@link TreeFile}, so that the next open serves them without a rebuild.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            writer.shutdown();
        }
        writer.awaitTermination();
    }

    /**
     * Closes as a crash of the process would leave things: writes queued and not yet committed fail (UNAVAILABLE)
     * instead of being committed; a batch already committing finishes, as one whose fsync returned just before the
     * crash. Nothing acknowledged is lost, since a write is acknowledged only once committed. For tests that want
     * the in-process equivalent of kill -9 ({@code EmbeddedCluster.crash}); otherwise as {@link #close()}, except that
     * no tree file is saved: the next open rebuilds every tree, as after a real crash.
     */
    public void crash() {
        if (closed.compareAndSet(false, true)) {
            writer.abandon();
        }
        writer.awaitTermination();
    }

    /**
     * On the writer thread after its last batch: save the trees (a clean close only), wait out running reads, free
     * read transactions, close.
     */
    private void teardown(boolean clean) {
        if (clean && hashTrees) {
            saveTrees();
        }
        gate.close(() -> {
            readers.disposeAll();
            env.close();
        });
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // unknown: do not call an I/O error a full disk
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ChorusException c) {
                throw c;
            }
            throw new ChorusException(ErrorCode.INTERNAL, "storage operation failed", e.getCause());
        }
    }
}
