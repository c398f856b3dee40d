package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TreeTestData.ACTORS;
import static io.chorus.storage.TreeTestData.assertMatchesStore;
import static io.chorus.storage.TreeTestData.assertSameTree;
import static io.chorus.storage.TreeTestData.deliver;
import static io.chorus.storage.TreeTestData.entryHash;
import static io.chorus.storage.TreeTestData.history;
import static io.chorus.storage.TreeTestData.shuffled;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.SimulationSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas that hold the same causal states have the same trees, whatever order the states arrived in and
 * whichever engine holds them: entry hashes are of the canonical encoding, and a tree is an XOR of them.
 */
@Tag(SimulationSeeds.TAG)
class TreeOrderIndependenceTest {

    private static final int[] PARTITIONS = {0, 3, StorageEngine.MAX_PARTITION};

    @TempDir
    Path dir;

    @Test
    void theSameStatesInAnyOrderGiveTheSameTreesInEveryEngine() {
        SimulationSeeds.forEachSeed(6, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            List<TreeTestData.Delivery> history = history(rnd, PARTITIONS, 40, 500);
            // Some states arrive twice (a retried sync): merge is idempotent.
            List<TreeTestData.Delivery> withRepeats = new ArrayList<>(history);
            for (int i = 0; i < history.size() / 5; i++) {
                withRepeats.add(history.get(rnd.nextInt(history.size())));
            }
            MemoryStorageEngine memory1 = new MemoryStorageEngine(1);
            MemoryStorageEngine memory2 = new MemoryStorageEngine(2);
            deliver(memory1, history);
            deliver(memory2, shuffled(withRepeats, seed + 1));
            try (LmdbStorageEngine lmdb1 = LmdbStorageEngine.open(TestData.config(dir.resolve(seed + "-1")).build());
                    LmdbStorageEngine lmdb2 = LmdbStorageEngine.open(
                            TestData.config(dir.resolve(seed + "-2")).build())) {
                deliver(lmdb1, shuffled(history, seed + 2));
                deliver(lmdb2, shuffled(withRepeats, seed + 3));
                for (int p : PARTITIONS) {
                    assertThat(memory1.trees().tree(p).keyCount()).as("partition %d has keys", p).isPositive();
                    assertSameTree(memory1.trees().tree(p), memory2.trees().tree(p));
                    assertSameTree(memory1.trees().tree(p), lmdb1.trees().tree(p));
                    assertSameTree(lmdb1.trees().tree(p), lmdb2.trees().tree(p));
                    assertMatchesStore(memory1, p);
                    assertMatchesStore(lmdb1, p);
                    assertSameEntries(memory1, lmdb2, p);
                }
            }
        });
    }

    @Test
    void theSameWritesGiveTheSameHashesInBothEngines() {
        // Coordinator writes (update, delete) and merges, in one order, with every hash compared after each.
        SimulationSeeds.forEachSeed(4, seed -> {
            MemoryStorageEngine memory = new MemoryStorageEngine(1);
            try (LmdbStorageEngine lmdb = LmdbStorageEngine.open(TestData.config(dir.resolve("w" + seed)).build())) {
                SplittableRandom rnd = new SplittableRandom(seed);
                for (int n = 0; n < 400; n++) {
                    int i = n;
                    int p = PARTITIONS[rnd.nextInt(PARTITIONS.length)];
                    byte[] key = ("key-" + rnd.nextInt(50)).getBytes(StandardCharsets.UTF_8);
                    int op = rnd.nextInt(4);
                    byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
                    int actor = rnd.nextInt(ACTORS.size());
                    Consumer<StorageEngine> write = switch (op) {
                        case 0 -> e -> await(e.delete(p, key, e.get(p, key).context(), ACTORS.get(actor), i));
                        case 1 -> e -> await(e.put(p, key, TestData.blind(ACTORS.get(actor), "m" + i)));
                        case 2 -> e -> await(e.update(p, key, s -> s.update(s.context(), ACTORS.get(actor), value, i)));
                        default -> e -> await(e.update(p, key,
                                s -> s.update(VersionVector.empty(), ACTORS.get(actor), value, i)));
                    };
                    write.accept(memory);
                    write.accept(lmdb);
                    assertThat(entryHash(lmdb, p, key)).isEqualTo(entryHash(memory, p, key));
                    assertThat(lmdb.trees().tree(p).root()).isEqualTo(memory.trees().tree(p).root());
                }
                for (int p : PARTITIONS) {
                    assertSameTree(memory.trees().tree(p), lmdb.trees().tree(p));
                    assertSameEntries(memory, lmdb, p);
                    assertMatchesStore(lmdb, p);
                }
            }
        });
    }

    /** Both engines store the same bytes for every key of the partition, listed in the same order. */
    private static void assertSameEntries(StorageEngine a, StorageEngine b, int p) {
        List<StoredEntry> fromA = a.segmentEntries(p, 0, new int[] {0}, null, Integer.MAX_VALUE).entries();
        List<StoredEntry> fromB = b.segmentEntries(p, 0, new int[] {0}, null, Integer.MAX_VALUE).entries();
        assertThat(fromA).hasSameSizeAs(fromB);
        for (int i = 0; i < fromA.size(); i++) {
            assertThat(fromA.get(i).key()).isEqualTo(fromB.get(i).key());
            assertThat(fromA.get(i).encoded()).isEqualTo(fromB.get(i).encoded());
            SiblingSet decoded = CausalCodec.decode(fromA.get(i).encoded());
            assertThat(a.get(p, fromA.get(i).key())).isEqualTo(decoded);
        }
    }
}
