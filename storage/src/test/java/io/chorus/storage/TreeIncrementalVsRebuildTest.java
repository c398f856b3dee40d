package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TreeTestData.ACTORS;
import static io.chorus.storage.TreeTestData.assertMatchesStore;
import static io.chorus.storage.TreeTestData.assertSameLeaves;
import static io.chorus.storage.TreeTestData.entryHash;
import static io.chorus.storage.TreeTestData.tombstones;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.SimulationSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree kept in step with every write is the tree a scan rebuilds: after random coordinator writes, deletes
 * (tombstones), merges and purges, a store that forgot its trees (an LMDB directory reopened after a crash, a memory
 * engine told to forget) rebuilds, in small chunks, exactly the same count, tombstone set and hashes: every leaf when
 * the rebuild chose the same resolution, every node of the coarser one otherwise.
 */
@Tag(SimulationSeeds.TAG)
class TreeIncrementalVsRebuildTest {

    private static final int[] PARTITIONS = {0, 9, 10, StorageEngine.MAX_PARTITION};

    @TempDir
    Path dir;

    /** What a ready tree held: compared with the rebuilt one. */
    record Snapshot(int bits, long[] leaves, long keyCount, TreeSet<String> tombstones, long root) {
        static Snapshot of(HashTree t) {
            return new Snapshot(t.bits(), t.leavesCopy(), t.keyCount(), TreeTestData.tombstones(t), t.root());
        }
    }

    @Test
    void lmdbReopenedAfterACrashRebuildsTheIncrementalTrees() {
        SimulationSeeds.forEachSeed(5, seed -> {
            Path d = dir.resolve(Long.toHexString(seed));
            SplittableRandom rnd = new SplittableRandom(seed);
            Map<Integer, Snapshot> before = new HashMap<>();
            LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(d).build());
            try {
                randomWrites(engine, rnd, 1_500);
                for (int p : PARTITIONS) {
                    assertMatchesStore(engine, p);
                    before.put(p, Snapshot.of(engine.trees().tree(p)));
                }
            } finally {
                engine.crash(); // leaves no tree file: the reopened engine must rebuild
            }
            try (LmdbStorageEngine reopened = LmdbStorageEngine.open(TestData.config(d).build())) {
                checkRebuilt(reopened, rnd, before);
            }
        });
    }

    @Test
    void memoryEngineThatForgotItsTreesRebuildsThem() {
        SimulationSeeds.forEachSeed(10, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            MemoryStorageEngine engine = new MemoryStorageEngine(1);
            randomWrites(engine, rnd, 1_500);
            Map<Integer, Snapshot> before = new HashMap<>();
            for (int p : PARTITIONS) {
                assertMatchesStore(engine, p);
                before.put(p, Snapshot.of(engine.trees().tree(p)));
            }
            engine.forgetTrees();
            checkRebuilt(engine, rnd, before);
        });
    }

    private static void checkRebuilt(StorageEngine engine, SplittableRandom rnd, Map<Integer, Snapshot> before) {
        boolean exact = false;
        for (int p : PARTITIONS) {
            HashTree tree = engine.trees().tree(p);
            assertThat(tree.isReady()).isFalse();
            // The last partition in one chunk (its first chunk sizes the tree from an exact count), the others in
            // chunks of 1 to 10 keys.
            int chunk = p == StorageEngine.MAX_PARTITION ? 100_000 : 1 + rnd.nextInt(10);
            int steps = TreeTestData.rebuild(engine, p, chunk);
            Snapshot was = before.get(p);
            assertThat(steps).isGreaterThanOrEqualTo((int) Math.min(was.keyCount() / chunk, 1_000_000));
            assertThat(tree.keyCount()).as("key count").isEqualTo(was.keyCount());
            assertThat(tombstones(tree)).as("tombstone-only keys").isEqualTo(was.tombstones());
            assertThat(tree.root()).as("root").isEqualTo(was.root());
            int bits = Math.min(tree.bits(), was.bits());
            for (int i = 0; i < 1 << bits; i++) {
                assertThat(tree.hash(bits, i)).as("node %d at %d bits", i, bits).isEqualTo(fold(was, bits, i));
            }
            if (tree.bits() == was.bits()) {
                assertSameLeaves(p, tree.leavesCopy(), was.leaves());
                exact = true;
            }
            assertMatchesStore(engine, p);
        }
        assertThat(exact).as("at least one rebuild chose the same resolution: leaves compared one by one").isTrue();
    }

    private static long fold(Snapshot s, int bits, int index) {
        int shift = s.bits() - bits;
        long h = 0;
        for (int i = index << shift; i < (index + 1) << shift; i++) {
            h ^= s.leaves()[i];
        }
        return h;
    }

    /** Coordinator writes, deletes, merges of other replicas' states, purges; checked against a scan now and then. */
    static void randomWrites(StorageEngine engine, SplittableRandom rnd, int ops) {
        for (int i = 0; i < ops; i++) {
            int p = PARTITIONS[rnd.nextInt(PARTITIONS.length)];
            byte[] key = ("key-" + rnd.nextInt(120)).getBytes(StandardCharsets.UTF_8);
            byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
            int ts = i;
            switch (rnd.nextInt(6)) {
                case 0 -> await(engine.delete(p, key, engine.get(p, key).context(), ACTORS.get(rnd.nextInt(3)), ts));
                case 1 -> await(engine.put(p, key, SiblingSet.empty()
                        .update(VersionVector.empty(), ACTORS.get(rnd.nextInt(3)), value, ts)));
                case 2 -> {
                    List<byte[]> tombstones = engine.trees().tree(p).tombstoneKeys(3);
                    for (byte[] k : tombstones) {
                        assertThat(await(engine.purgeTombstone(p, k, entryHash(engine, p, k)))).isTrue();
                    }
                }
                case 3 -> await(engine.delete(p, key, VersionVector.empty(), ACTORS.get(rnd.nextInt(3)), ts));
                default -> await(engine.update(p, key, s -> s.update(s.context(), ACTORS.get(0), value, ts)));
            }
            if (i % 500 == 499) {
                for (int q : PARTITIONS) {
                    assertMatchesStore(engine, q);
                }
            }
        }
    }
}
