package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TreeTestData.assertMatchesStore;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a tree is ready and when not: a tree that is not ready answers nothing (an exchange is deferred, never
 * answered from a partial tree) until a rebuild ends; a drop makes the tree not ready until it ends, then leaves an
 * empty ready tree that counts every later write.
 */
class TreeReadinessTest {

    private static final int P = 12;

    @TempDir
    Path dir;

    @Test
    void aNewStoreHasReadyEmptyTrees() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            assertEmptyAndReady(engine.trees().tree(P));
            assertEmptyAndReady(engine.trees().tree(0));
            assertEmptyAndReady(engine.trees().tree(StorageEngine.MAX_PARTITION));
        }
        assertEmptyAndReady(new MemoryStorageEngine(1).trees().tree(P));
    }

    @Test
    void aReopenedLmdbStoreAnswersNothingUntilRebuilt() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            write(engine, 40);
            engine.crash(); // no tree file
        }
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            HashTree tree = engine.trees().tree(P);
            assertNotReady(tree);
            assertThat(engine.trees().notReady()).isEqualTo(1);
            // Part way: still nothing to answer with.
            assertThat(await(engine.rebuildTree(P, 5))).isEqualTo(new StorageEngine.RebuildProgress(5, false));
            assertNotReady(tree);
            // A write meanwhile is kept for the rebuilt tree.
            await(engine.put(P, bytes("during"), blind(A, "x")));
            assertNotReady(tree);
            TreeTestData.rebuild(engine, P, 5);
            assertThat(tree.isReady()).isTrue();
            assertThat(tree.needsRebuild()).isFalse();
            assertThat(tree.keyCount()).isEqualTo(41);
            assertThat(tree.children(8, 0, new int[] {0})).hasSize(16);
            assertThat(engine.trees().rebuilds()).isEqualTo(1);
            assertThat(engine.trees().notReady()).isZero();
            assertMatchesStore(engine, P);
            // An untouched partition of a reopened store is not ready either, even empty, until rebuilt.
            HashTree empty = engine.trees().tree(P + 1);
            assertNotReady(empty);
            assertThat(await(engine.rebuildTree(P + 1, 5))).isEqualTo(new StorageEngine.RebuildProgress(0, true));
            assertEmptyAndReady(empty);
        }
    }

    @Test
    void aMemoryEngineThatForgotItsTreesAnswersNothingUntilRebuilt() {
        MemoryStorageEngine engine = new MemoryStorageEngine(1);
        write(engine, 40);
        engine.forgetTrees();
        HashTree tree = engine.trees().tree(P);
        assertNotReady(tree);
        assertNotReady(engine.trees().tree(P + 1));
        await(engine.rebuildTree(P, 5));
        assertNotReady(tree);
        TreeTestData.rebuild(engine, P, 5);
        assertMatchesStore(engine, P);
    }

    @Test
    void dropLeavesAnEmptyReadyTreeAndLaterWritesCount() {
        forBothEngines(engine -> {
            write(engine, 30);
            write(engine, P + 1, 5);
            long neighbour = engine.trees().tree(P + 1).root();
            await(engine.dropPartition(P));
            HashTree tree = engine.trees().tree(P);
            assertEmptyAndReady(tree);
            assertThat(engine.trees().tree(P + 1).root()).as("the neighbour's tree is untouched")
                    .isEqualTo(neighbour);
            await(engine.put(P, bytes("after"), blind(A, "x")));
            await(engine.delete(P, bytes("gone"), engine.get(P, bytes("gone")).context(), A, 3));
            assertThat(tree.keyCount()).isEqualTo(2);
            assertThat(tree.tombstoneCount()).isEqualTo(1);
            assertMatchesStore(engine, P);
            return null;
        });
    }

    @Test
    void aTreeIsNotReadyWhileALongDropRunsAndARebuildMeanwhileDoesNotMakeItSo() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            write(engine, PartitionDrop.CHUNK * 2 + 10);
            HashTree tree = engine.trees().tree(P);
            CompletableFuture<Void> drop;
            CompletableFuture<Boolean> readyAfterStep;
            try (TreeTestData.WriterHold hold = new TreeTestData.WriterHold(engine, P)) {
                drop = engine.dropPartition(P);
                assertNotReady(tree);
                // Runs in the batch of the drop's first chunk, so it scans what the drop has not deleted yet.
                readyAfterStep = engine.rebuildTree(P, 100_000).thenApply(progress -> {
                    assertThat(progress.done()).as("a rebuild cannot end while a drop runs").isFalse();
                    return tree.isReady(); // on the writer thread, before the drop's next chunk
                });
                hold.release();
            }
            assertThat(await(readyAfterStep)).as("ready in the middle of a drop").isFalse();
            await(drop);
            assertEmptyAndReady(tree);
            assertMatchesStore(engine, P);
            await(engine.put(P, bytes("after"), blind(A, "x")));
            assertMatchesStore(engine, P);
        }
    }

    @Test
    void writesQueuedBehindADropCountInTheEmptyTree() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            write(engine, 50);
            HashTree tree = engine.trees().tree(P);
            List<CompletableFuture<SiblingSet>> after = new ArrayList<>();
            CompletableFuture<Void> drop;
            try (TreeTestData.WriterHold hold = new TreeTestData.WriterHold(engine, P)) {
                drop = engine.dropPartition(P);
                // One batch: the drop's only chunk, then these.
                for (int i = 0; i < 20; i++) {
                    after.add(engine.put(P, bytes("after-" + i), blind(A, "x")));
                }
                hold.release();
            }
            await(drop);
            after.forEach(TestData::await);
            assertThat(tree.keyCount()).isEqualTo(20);
            assertMatchesStore(engine, P);
        }
    }

    private void forBothEngines(Function<StorageEngine, Void> body) {
        body.apply(new MemoryStorageEngine(1));
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            body.apply(engine);
        }
    }

    private static void write(StorageEngine engine, int n) {
        write(engine, P, n);
    }

    private static void write(StorageEngine engine, int partition, int n) {
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(engine.put(partition, bytes("key-" + i), blind(A, "v" + i)));
        }
        writes.forEach(TestData::await);
    }

    static void assertNotReady(HashTree tree) {
        assertThat(tree.isReady()).isFalse();
        assertThat(tree.needsRebuild()).isTrue();
        assertThat(tree.children(8, 0, new int[] {0})).isNull();
        assertThat(tree.children(1, 0, new int[] {0})).isNull();
        assertThat(tree.bits()).isZero();
        assertThat(tree.root()).isZero();
        assertThat(tree.keyCount()).isZero();
        assertThat(tree.hash(0, 0)).isZero();
        assertThat(tree.tombstoneKeys(10)).isEmpty();
        assertThat(tree.tombstoneCount()).isZero();
        assertThat(tree.leavesCopy()).isNull();
    }

    static void assertEmptyAndReady(HashTree tree) {
        assertThat(tree.isReady()).isTrue();
        assertThat(tree.needsRebuild()).isFalse();
        assertThat(tree.bits()).isEqualTo(HashTree.MIN_BITS);
        assertThat(tree.root()).isZero();
        assertThat(tree.keyCount()).isZero();
        assertThat(tree.tombstoneCount()).isZero();
        assertThat(tree.leavesCopy()).containsOnly(0L);
        assertThat(tree.children(HashTree.MIN_BITS, 0, new int[] {0})).hasSize(16).containsOnly(0L);
    }
}
