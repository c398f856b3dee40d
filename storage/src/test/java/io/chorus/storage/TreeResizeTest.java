package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TreeTestData.assertMatchesStore;
import static io.chorus.storage.TreeTestData.entryHash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree grows finer by a rebuild once it holds more than {@value HashTree#RESIZE_KEYS_PER_LEAF} keys a leaf,
 * serving the coarser tree until the rebuild ends; and a finer tree answers an exchange at a coarser resolution
 * exactly as a tree of that resolution would, so replicas whose trees differ in size still compare.
 */
class TreeResizeTest {

    private static final int P = 77;

    @TempDir
    Path dir;

    @Test
    void resolutionRule() {
        assertThat(TreeLevels.bitsFor(0)).isEqualTo(HashTree.MIN_BITS);
        assertThat(TreeLevels.bitsFor(512)).isEqualTo(8);
        assertThat(TreeLevels.bitsFor(513)).isEqualTo(9);
        assertThat(TreeLevels.bitsFor(1500)).isEqualTo(10);
        assertThat(TreeLevels.bitsFor(5000)).isEqualTo(12);
        assertThat(TreeLevels.bitsFor(2L << 20)).isEqualTo(HashTree.MAX_BITS);
        assertThat(TreeLevels.bitsFor(Long.MAX_VALUE)).isEqualTo(HashTree.MAX_BITS);
    }

    @Test
    void aFullTreeAsksForAFinerOneAndServesTheOldOneUntilTheRebuildEnds() {
        runOnBoth(engine -> {
            HashTree tree = engine.trees().tree(P);
            int perLeafLimit = HashTree.RESIZE_KEYS_PER_LEAF << HashTree.MIN_BITS;
            writeKeys(engine, 0, perLeafLimit);
            assertThat(tree.bits()).isEqualTo(HashTree.MIN_BITS);
            assertThat(tree.needsRebuild()).as("at %d keys", perLeafLimit).isFalse();
            writeKeys(engine, perLeafLimit, perLeafLimit + 1);
            assertThat(tree.needsRebuild()).as("at %d keys", perLeafLimit + 1).isTrue();

            int expectedBits = TreeLevels.bitsFor(tree.keyCount());
            int next = perLeafLimit + 1;
            int steps = 0;
            while (!await(engine.rebuildTree(P, 97)).done()) {
                steps++;
                // Still the old tree: ready, coarse, answering, and in step with the writes made meanwhile.
                assertThat(tree.isReady()).isTrue();
                assertThat(tree.bits()).isEqualTo(HashTree.MIN_BITS);
                assertThat(tree.needsRebuild()).isTrue();
                assertThat(tree.children(HashTree.MIN_BITS, 4, new int[] {0, 15})).hasSize(32);
                writeKeys(engine, next, next + 3);
                next += 3;
                if (steps % 5 == 0) {
                    assertMatchesStore(engine, P);
                }
            }
            assertThat(steps).isGreaterThan(10);
            assertThat(tree.bits()).isEqualTo(expectedBits).isEqualTo(11);
            assertThat(tree.needsRebuild()).isFalse();
            assertThat(tree.rebuilds()).isEqualTo(1);
            assertThat(tree.keyCount()).isEqualTo(next);
            assertMatchesStore(engine, P);
            writeKeys(engine, next, next + 10);
            assertMatchesStore(engine, P);
            // At 11 bits the limit is 8 keys a leaf of 2048 leaves.
            assertThat(tree.needsRebuild()).isFalse();
        });
    }

    @Test
    void aFinerTreeAnswersACoarserExchangeAsACoarserTreeOfTheSameData() {
        MemoryStorageEngine coarse = new MemoryStorageEngine(1);
        try (LmdbStorageEngine fine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            writeKeys(coarse, 0, 1_500);
            writeKeys(fine, 0, 1_500);
            // The finer tree is made by a rebuild while 3500 more keys, tombstones only, are there; then they are
            // collected, which leaves the same data as the coarse side at 12 bits.
            List<CompletableFuture<SiblingSet>> extra = new ArrayList<>();
            for (int i = 0; i < 3_500; i++) {
                extra.add(fine.delete(P, bytes("extra-" + i), VersionVector.empty(), A, 5));
            }
            extra.forEach(TestData::await);
            TreeTestData.rebuild(fine, P, 1_000);
            TreeTestData.rebuild(coarse, P, 1_000);
            List<CompletableFuture<Boolean>> purges = new ArrayList<>();
            for (int i = 0; i < 3_500; i++) {
                byte[] k = bytes("extra-" + i);
                purges.add(fine.purgeTombstone(P, k, entryHash(fine, P, k)));
            }
            purges.forEach(f -> assertThat(await(f)).isTrue());

            HashTree a = coarse.trees().tree(P);
            HashTree b = fine.trees().tree(P);
            assertThat(a.bits()).isEqualTo(10);
            assertThat(b.bits()).isEqualTo(12);
            assertThat(b.keyCount()).isEqualTo(a.keyCount()).isEqualTo(1_500);
            assertThat(b.tombstoneCount()).isZero();
            assertMatchesStore(fine, P);
            assertMatchesStore(coarse, P);

            // Every level of an exchange at 10 bits: parents at 0, 4 and 8 bits, every parent of the level.
            for (int parentBits : new int[] {0, 4, 8}) {
                int[] parents = IntStream.range(0, 1 << parentBits).toArray();
                long[] fromCoarse = a.children(10, parentBits, parents);
                long[] fromFine = b.children(10, parentBits, parents);
                assertThat(fromFine).as("children of the %d-bit level", parentBits).isEqualTo(fromCoarse);
                assertThat(fromFine).hasSize(parents.length << (Math.min(parentBits + 4, 10) - parentBits));
            }
            assertThat(TreeDifference.descend(a::children, b::children, 10, 3)).isEmpty();
            // The coarse tree cannot answer at the fine one's resolution.
            assertThat(a.children(12, 8, new int[] {0})).isNull();
            assertThat(TreeLevels.bitsFor(1_500)).isEqualTo(10);

            // One more key on the fine side: the descent at 10 bits finds exactly its segment.
            byte[] one = bytes("only-on-the-fine-side");
            await(fine.put(P, one, blind(A, "x")));
            assertThat(TreeDifference.descend(a::children, b::children, 10, 3))
                    .containsExactly(KeyHash.segmentOf(one, 10));
            // A parent outside the level is refused, not an index error.
            assertThatThrownBy(() -> b.children(10, 4, new int[] {16})).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private void runOnBoth(java.util.function.Consumer<StorageEngine> body) {
        body.accept(new MemoryStorageEngine(1));
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            body.accept(engine);
        }
    }

    private static void writeKeys(StorageEngine engine, int from, int to) {
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int i = from; i < to; i++) {
            writes.add(engine.put(P, bytes("key-" + i), blind(A, "v" + i)));
        }
        writes.forEach(TestData::await);
    }
}
