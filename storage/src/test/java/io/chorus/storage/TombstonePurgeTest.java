package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.B;
import static io.chorus.storage.TestData.C;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TreeTestData.assertMatchesStore;
import static io.chorus.storage.TreeTestData.entryHash;
import static io.chorus.storage.TreeTestData.hex;
import static io.chorus.storage.TreeTestData.tombstones;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StorageEngine#purgeTombstone} collects only a key whose every sibling is a tombstone and whose entry hash is
 * still the one the caller established on its replicas; the tree's root, count and tombstone set follow the delete.
 */
class TombstonePurgeTest {

    private static final int P = 3;

    @TempDir
    Path dir;

    @Test
    void aTombstoneWithTheExpectedHashIsCollectedAndTheTreeFollows() {
        forBoth(engine -> {
            HashTree tree = engine.trees().tree(P);
            byte[] k = bytes("k");
            SiblingSet live = await(engine.put(P, k, blind(A, "v")));
            await(engine.put(P, bytes("other"), blind(A, "o")));
            long rootWithoutK = tree.root() ^ entryHash(engine, P, k);
            await(engine.delete(P, k, live.context(), A, 2_000));
            long hash = entryHash(engine, P, k);
            assertThat(tree.tombstoneKeys(10)).singleElement().satisfies(t -> assertThat(t).isEqualTo(k));
            assertThat(tree.keyCount()).isEqualTo(2);

            assertThat(await(engine.purgeTombstone(P, k, hash))).isTrue();
            assertThat(engine.get(P, k).isEmpty()).isTrue();
            assertThat(tree.keyCount()).isEqualTo(1);
            assertThat(tree.tombstoneCount()).isZero();
            assertThat(tree.root()).isEqualTo(rootWithoutK);
            assertMatchesStore(engine, P);
            // Gone: a second purge finds nothing.
            assertThat(await(engine.purgeTombstone(P, k, hash))).isFalse();
        });
    }

    @Test
    void aLiveKeyIsNeverCollectedEvenWithItsHash() {
        forBoth(engine -> {
            byte[] k = bytes("live");
            await(engine.put(P, k, blind(A, "v")));
            assertThat(await(engine.purgeTombstone(P, k, entryHash(engine, P, k)))).isFalse();
            // A tombstone next to a concurrent live value is not tombstone-only either.
            byte[] mixed = bytes("mixed");
            await(engine.put(P, mixed, blind(A, "v")));
            await(engine.delete(P, mixed, VersionVector.empty(), B, 3));
            assertThat(engine.get(P, mixed).size()).isEqualTo(2);
            assertThat(tombstones(engine.trees().tree(P))).doesNotContain(hex(mixed));
            assertThat(await(engine.purgeTombstone(P, mixed, entryHash(engine, P, mixed)))).isFalse();
            assertThat(engine.trees().tree(P).keyCount()).isEqualTo(2);
            assertMatchesStore(engine, P);
        });
    }

    @Test
    void aNewerWriteKeepsTheKey() {
        forBoth(engine -> {
            byte[] k = bytes("k");
            SiblingSet deleted = await(engine.delete(P, k, VersionVector.empty(), A, 1));
            long checked = entryHash(engine, P, k);
            // A newer delete (a tombstone again, but another state and hash) arrives after the caller checked.
            await(engine.delete(P, k, deleted.context(), B, 2));
            assertThat(engine.get(P, k).isDeleted()).isTrue();
            assertThat(await(engine.purgeTombstone(P, k, checked))).isFalse();
            assertThat(engine.get(P, k).isEmpty()).isFalse();
            // A newer live write: kept too.
            await(engine.put(P, k, blind(C, "back")));
            assertThat(await(engine.purgeTombstone(P, k, checked))).isFalse();
            assertThat(await(engine.purgeTombstone(P, k, entryHash(engine, P, k)))).isFalse();
            assertThat(await(engine.purgeTombstone(P, bytes("absent"), checked))).isFalse();
            assertThat(engine.trees().tree(P).keyCount()).isEqualTo(1);
            assertThat(engine.trees().tree(P).tombstoneCount()).isZero();
            assertMatchesStore(engine, P);
        });
    }

    @Test
    void purgesAndWritesInOneBatchApplyInOrder() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            byte[] k = bytes("k");
            await(engine.delete(P, k, VersionVector.empty(), A, 1));
            long hash = entryHash(engine, P, k);
            List<CompletableFuture<Boolean>> purged = new ArrayList<>();
            try (TreeTestData.WriterHold hold = new TreeTestData.WriterHold(engine, P)) {
                purged.add(engine.purgeTombstone(P, k, hash));
                engine.put(P, k, blind(B, "again")); // recreates the key
                purged.add(engine.purgeTombstone(P, k, hash)); // another state now: kept
                hold.release();
            }
            assertThat(await(purged.get(0))).isTrue();
            assertThat(await(purged.get(1))).isFalse();
            assertThat(TestData.values(engine.get(P, k))).containsExactly("again");
            assertMatchesStore(engine, P);
        }
    }

    private void forBoth(Consumer<StorageEngine> body) {
        body.accept(new MemoryStorageEngine(1));
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            body.accept(engine);
        }
    }
}
