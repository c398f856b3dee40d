package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TreeTestData.ACTORS;
import static io.chorus.storage.TreeTestData.assertMatchesStore;
import static io.chorus.storage.TreeTestData.entryHash;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.SimulationSeeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuild that runs while the partition is written ends with exactly the tree a scan of the final store gives:
 * the cursor rule of {@link HashTree} counts each write once, whether its key is behind the cursor, at it (the last
 * key scanned: the case a {@code <} for {@code <=} gets wrong), or ahead of it.
 */
@Tag(SimulationSeeds.TAG)
class TreeRebuildDuringWritesTest {

    private static final int P = 41;
    private static final int CHUNK = 7;

    @TempDir
    Path dir;

    @Test
    void writesAtBehindAndAheadOfTheCursorBetweenChunksMemory() {
        SimulationSeeds.forEachSeed(10, seed -> {
            for (boolean ready : new boolean[] {false, true}) {
                MemoryStorageEngine engine = new MemoryStorageEngine(1);
                Writes w = new Writes(engine, new SplittableRandom(seed));
                w.fill(150);
                if (!ready) {
                    engine.forgetTrees();
                }
                rebuildWithWritesBetweenChunks(engine, w);
            }
        });
    }

    @Test
    void writesAtBehindAndAheadOfTheCursorBetweenChunksLmdb() {
        SimulationSeeds.forEachSeed(4, seed -> {
            for (boolean ready : new boolean[] {false, true}) {
                Path d = subdir(seed, ready);
                Writes w;
                try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(d).build())) {
                    w = new Writes(engine, new SplittableRandom(seed));
                    w.fill(150);
                    if (ready) {
                        rebuildWithWritesBetweenChunks(engine, w);
                        continue;
                    }
                    engine.crash(); // no tree file: the reopened engine rebuilds
                }
                try (LmdbStorageEngine reopened = LmdbStorageEngine.open(TestData.config(d).build())) {
                    // After a crash, a reopened engine's trees are not ready.
                    assertThat(reopened.trees().tree(P).isReady()).isFalse();
                    rebuildWithWritesBetweenChunks(reopened, w.on(reopened));
                }
            }
        });
    }

    /** After every chunk: a write at the cursor key, one behind it, one ahead, a new key, a delete, a purge. */
    private static void rebuildWithWritesBetweenChunks(StorageEngine engine, Writes w) {
        HashTree tree = engine.trees().tree(P);
        int steps = 0;
        while (!await(engine.rebuildTree(P, CHUNK)).done()) {
            steps++;
            byte[] cursor = tree.rebuildPosition().after();
            assertThat(cursor).as("a rebuild in progress has a cursor").isNotNull();
            w.update(StoreKeys.userKey(cursor));
            w.updateRelative(cursor, true);
            w.updateRelative(cursor, false);
            w.randomOp();
            w.randomOp();
            w.purgeSome();
        }
        // Deletes and purges between chunks shrink the store, so how many chunks it takes depends on the seed
        // (0xa43f3e16c84a4817 of CI's fresh base: 3 steps); two are enough to have written between chunks twice.
        assertThat(steps).as("the rebuild took several chunks").isGreaterThanOrEqualTo(2);
        assertMatchesStore(engine, P);
        assertThat(tree.needsRebuild()).isEqualTo(tree.keyCount() > 8L << tree.bits());
    }

    @Test
    void concurrentWritesFromAnotherThreadLmdb() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            SimulationSeeds.forEachSeed(4, seed -> {
                try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(subdir(seed, true)).build())) {
                    Writes w = new Writes(engine, new SplittableRandom(seed));
                    w.fill(600);
                    HashTree tree = engine.trees().tree(P);
                    for (int round = 0; round < 3; round++) {
                        AtomicBoolean stop = new AtomicBoolean();
                        AtomicLong submitted = new AtomicLong();
                        CountDownLatch started = new CountDownLatch(1);
                        Future<?> writer = pool.submit(() -> {
                            // Writes queued without waiting, so batches mix them with the rebuild's chunks.
                            Deque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
                            while (!stop.get()) {
                                byte[] cursor = tree.rebuildPosition().after();
                                if (cursor != null) {
                                    inFlight.add(w.updateAsync(StoreKeys.userKey(cursor)));
                                }
                                inFlight.add(w.randomOpAsync());
                                submitted.incrementAndGet();
                                started.countDown();
                                while (inFlight.size() > 32) {
                                    await(inFlight.poll());
                                }
                                w.purgeSome();
                            }
                            inFlight.forEach(TestData::await);
                        });
                        try {
                            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                        long before = submitted.get();
                        int steps = 0;
                        while (!await(engine.rebuildTree(P, CHUNK)).done()) {
                            steps++;
                            // Let the other thread write between chunks, as well as within their batches.
                            long at = submitted.get();
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                            while (submitted.get() < at + 3 && System.nanoTime() < deadline) {
                                Thread.yield();
                            }
                        }
                        long during = submitted.get() - before;
                        stop.set(true);
                        join(writer);
                        assertThat(steps).isGreaterThan(10);
                        assertThat(during).as("writes submitted during the rebuild").isGreaterThan(10);
                        assertMatchesStore(engine, P);
                    }
                }
            });
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoStepsInOneBatchCountEachKeyOnce() {
        // Two callers' steps taken into one batch both read from the same cursor; only the first may count.
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            Writes w = new Writes(engine, new SplittableRandom(7));
            w.fill(100);
            List<CompletableFuture<StorageEngine.RebuildProgress>> steps = new ArrayList<>();
            try (TreeTestData.WriterHold hold = new TreeTestData.WriterHold(engine, P)) {
                steps.add(engine.rebuildTree(P, 30));
                steps.add(engine.rebuildTree(P, 30));
                hold.release();
            }
            steps.forEach(TestData::await);
            TreeTestData.rebuild(engine, P, CHUNK);
            assertMatchesStore(engine, P);
        }
    }

    private Path subdir(long seed, boolean ready) {
        try {
            return Files.createDirectories(dir.resolve(Long.toHexString(seed) + (ready ? "-ready" : "-reopened")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void join(Future<?> f) {
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Random writes to partition {@link #P}, tracking the keys written so far. */
    static final class Writes {
        private final StorageEngine engine;
        private final SplittableRandom rnd;
        private final List<byte[]> keys;

        Writes(StorageEngine engine, SplittableRandom rnd) {
            this(engine, rnd, new ArrayList<>());
        }

        private Writes(StorageEngine engine, SplittableRandom rnd, List<byte[]> keys) {
            this.engine = engine;
            this.rnd = rnd;
            this.keys = keys;
        }

        /** The same keys and randomness, writing to another engine (a reopened one). */
        Writes on(StorageEngine other) {
            return new Writes(other, rnd, keys);
        }

        void fill(int n) {
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                writes.add(randomOpAsync());
            }
            writes.forEach(TestData::await);
        }

        void update(byte[] key) {
            await(updateAsync(key));
        }

        /** The key just before (or after) {@code storedKey} in stored order among those written, if any. */
        void updateRelative(byte[] storedKey, boolean before) {
            byte[] best = null;
            synchronized (keys) {
                for (byte[] k : keys) {
                    byte[] s = StoreKeys.dataKey(P, k);
                    int c = Arrays.compareUnsigned(s, storedKey);
                    if (before ? c < 0 && (best == null || Arrays.compareUnsigned(s, best) > 0)
                            : c > 0 && (best == null || Arrays.compareUnsigned(s, best) < 0)) {
                        best = s;
                    }
                }
            }
            if (best != null) {
                update(StoreKeys.userKey(best));
            }
        }

        void randomOp() {
            await(randomOpAsync());
        }

        CompletableFuture<SiblingSet> randomOpAsync() {
            int op = rnd.nextInt(10);
            byte[] key;
            synchronized (keys) {
                if (keys.isEmpty() || op < 3) {
                    key = ("k-" + rnd.nextLong()).getBytes(StandardCharsets.UTF_8);
                    keys.add(key);
                } else {
                    key = keys.get(rnd.nextInt(keys.size()));
                }
            }
            return switch (op % 4) {
                case 0 -> engine.delete(P, key, engine.get(P, key).context(), ACTORS.get(rnd.nextInt(3)), 5);
                case 1 -> engine.put(P, key, SiblingSet.empty()
                        .update(VersionVector.empty(), ACTORS.get(rnd.nextInt(3)), value(), 7)
                        .update(VersionVector.empty(), ACTORS.get(2), value(), 8));
                default -> updateAsync(key);
            };
        }

        CompletableFuture<SiblingSet> updateAsync(byte[] key) {
            byte[] value = value();
            boolean tombstone = rnd.nextInt(4) == 0;
            return engine.update(P, key, s -> s.update(s.context(), ACTORS.get(0), tombstone ? null : value, 9));
        }

        /** Purges a tombstone-only key or two, with the hash it has now. */
        void purgeSome() {
            List<byte[]> candidates = engine.trees().tree(P).tombstoneKeys(2);
            if (candidates.isEmpty()) {
                // A tree that is not ready names none: look for one in the keys written.
                synchronized (keys) {
                    for (int i = 0; i < 5 && !keys.isEmpty(); i++) {
                        byte[] k = keys.get(rnd.nextInt(keys.size()));
                        SiblingSet s = engine.get(P, k);
                        if (!s.isEmpty() && s.isDeleted()) {
                            candidates = List.of(k);
                            break;
                        }
                    }
                }
            }
            for (byte[] k : candidates) {
                await(engine.purgeTombstone(P, k, entryHash(engine, P, k)));
            }
        }

        private byte[] value() {
            return ("v" + rnd.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
        }
    }
}
