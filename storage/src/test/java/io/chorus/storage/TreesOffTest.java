package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@link StorageConfig#hashTrees} off (to measure what the trees cost), writes keep no tree, so no tree may
 * ever be ready: not after a drop, not from a tree file an earlier engine with trees on saved.
 */
class TreesOffTest {

    private static final int P = 4;

    @TempDir
    Path dir;

    @Test
    void aDropLeavesTheTreeNotReady() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).hashTrees(false).build())) {
            await(engine.put(P, bytes("before"), blind(A, "x")));
            TreeReadinessTest.assertNotReady(engine.trees().tree(P));
            await(engine.dropPartition(P));
            await(engine.put(P, bytes("after"), blind(A, "x")));
            TreeReadinessTest.assertNotReady(engine.trees().tree(P));
        }
    }

    @Test
    void aTreeFileIsNotLoadedAndNoneIsSaved() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            await(engine.put(P, bytes("k"), blind(A, "x")));
        }
        assertThat(Files.exists(TreeFile.path(dir))).isTrue();
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).hashTrees(false).build())) {
            TreeReadinessTest.assertNotReady(engine.trees().tree(P));
            assertThat(Files.exists(TreeFile.path(dir))).as("used up all the same").isFalse();
            await(engine.put(P, bytes("unseen by the trees"), blind(A, "x")));
        }
        assertThat(Files.exists(TreeFile.path(dir))).isFalse();
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            // Back on: rebuilt from the store, which holds the write the trees did not see.
            TreeReadinessTest.assertNotReady(engine.trees().tree(P));
            TreeTestData.rebuild(engine, P, 10);
            assertThat(engine.trees().tree(P).keyCount()).isEqualTo(2);
            TreeTestData.assertMatchesStore(engine, P);
        }
    }
}
