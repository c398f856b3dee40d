package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Helpers of the hash-tree tests: seeded causal histories, a naive tree, tree comparison, rebuild loops. */
final class TreeTestData {

    static final List<ActorId> ACTORS = List.of(ActorId.of("node-a", 1), ActorId.of("node-b", 1),
            ActorId.of("node-c", 1));

    private TreeTestData() {
    }

    /** One state a replica handed on: what an engine merges in with {@link StorageEngine#put}. */
    record Delivery(int partition, byte[] key, SiblingSet state) {
    }

    /**
     * A seeded history of three replicas (each the only writer of its own actor, so dots never repeat): coordinator
     * writes and deletes with the context of some replica's state (or none: a blind write), and syncs of one
     * replica's state into another. Every state any replica reaches is a delivery; merged in any order, the
     * deliveries of a key give the same state (DVVSet merge is commutative, associative and idempotent).
     */
    static List<Delivery> history(SplittableRandom rnd, int[] partitions, int keys, int ops) {
        List<Map<String, SiblingSet>> replicas = List.of(new HashMap<>(), new HashMap<>(), new HashMap<>());
        List<Delivery> out = new ArrayList<>();
        for (int i = 0; i < ops; i++) {
            int p = partitions[rnd.nextInt(partitions.length)];
            String name = p + "/" + "key-" + rnd.nextInt(keys);
            int r = rnd.nextInt(replicas.size());
            SiblingSet mine = replicas.get(r).getOrDefault(name, SiblingSet.empty());
            SiblingSet next;
            if (rnd.nextInt(4) == 0) {
                // A sync: another replica's state merged in.
                SiblingSet theirs = replicas.get(rnd.nextInt(replicas.size())).getOrDefault(name, SiblingSet.empty());
                next = mine.merge(theirs);
            } else {
                int from = rnd.nextInt(replicas.size() + 1);
                VersionVector context = from == replicas.size() ? VersionVector.empty()
                        : replicas.get(from).getOrDefault(name, SiblingSet.empty()).context();
                byte[] value = rnd.nextInt(5) == 0 ? null : ("v" + i).getBytes(StandardCharsets.UTF_8);
                next = mine.update(context, ACTORS.get(r), value, 1_000 + i);
            }
            replicas.get(r).put(name, next);
            if (!next.isEmpty()) {
                out.add(new Delivery(p, keyOf(name), next));
            }
        }
        return out;
    }

    /** The key part of a history name ("partition/key"). */
    private static byte[] keyOf(String name) {
        return name.substring(name.indexOf('/') + 1).getBytes(StandardCharsets.UTF_8);
    }

    static List<Delivery> shuffled(List<Delivery> deliveries, long seed) {
        List<Delivery> copy = new ArrayList<>(deliveries);
        Collections.shuffle(copy, new Random(seed));
        return copy;
    }

    /** Merges every delivery in, in list order; waits for all. */
    static void deliver(StorageEngine engine, List<Delivery> deliveries) {
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (Delivery d : deliveries) {
            writes.add(engine.put(d.partition(), d.key(), d.state()));
        }
        writes.forEach(TestData::await);
    }

    /** What a partition's tree must be, computed from a scan: leaves at {@code bits}, count, tombstone-only keys. */
    record Naive(int bits, long[] leaves, long keyCount, TreeSet<String> tombstones) {
        long root() {
            long r = 0;
            for (long h : leaves) {
                r ^= h;
            }
            return r;
        }
    }

    static Naive naive(StorageEngine engine, int partition, int bits) {
        long[] leaves = new long[1 << bits];
        long[] count = {0};
        TreeSet<String> tombstones = new TreeSet<>();
        engine.scan(partition, (key, set) -> {
            byte[] encoded = engine.getEncoded(partition, key);
            assertThat(encoded).as("the scan and a read agree").isEqualTo(CausalCodec.encode(set));
            leaves[KeyHash.segmentOf(key, bits)] ^= KeyHash.entryHash(key, encoded);
            count[0]++;
            if (set.isDeleted()) {
                tombstones.add(hex(key));
            }
            return true;
        });
        return new Naive(bits, leaves, count[0], tombstones);
    }

    /** A tree is exactly what a scan of its partition says, at the tree's own resolution. */
    static void assertMatchesStore(StorageEngine engine, int partition) {
        HashTree tree = engine.trees().tree(partition);
        assertThat(tree.isReady()).as("tree of partition %d ready", partition).isTrue();
        assertSame(tree, naive(engine, partition, tree.bits()));
    }

    static void assertSame(HashTree tree, Naive expected) {
        assertThat(tree.bits()).as("bits").isEqualTo(expected.bits());
        assertSameLeaves(tree.partition(), tree.leavesCopy(), expected.leaves());
        assertThat(tree.keyCount()).as("key count").isEqualTo(expected.keyCount());
        assertThat(tombstones(tree)).as("tombstone-only keys").isEqualTo(expected.tombstones());
        assertThat(tree.root()).as("root").isEqualTo(expected.root());
    }

    /** Two ready trees are the same: resolution, every leaf, count, tombstone-only keys, root. */
    static void assertSameTree(HashTree a, HashTree b) {
        assertThat(a.isReady()).isTrue();
        assertThat(b.isReady()).isTrue();
        assertThat(a.bits()).as("bits").isEqualTo(b.bits());
        assertSameLeaves(a.partition(), a.leavesCopy(), b.leavesCopy());
        assertThat(a.keyCount()).as("key count").isEqualTo(b.keyCount());
        assertThat(tombstones(a)).as("tombstone-only keys").isEqualTo(tombstones(b));
        assertThat(a.root()).as("root").isEqualTo(b.root());
    }

    /** Names the leaves that differ, rather than printing every leaf. */
    static void assertSameLeaves(int partition, long[] actual, long[] expected) {
        assertThat(actual).as("leaves of partition %d", partition).isNotNull().hasSameSizeAs(expected);
        List<Integer> differ = new ArrayList<>();
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != expected[i]) {
                differ.add(i);
            }
        }
        assertThat(differ).as("leaves of partition %d that differ (of %d)", partition, actual.length).isEmpty();
    }

    /** Two ready trees agree folded to the coarser of their resolutions, and on count and tombstones. */
    static void assertSameFolded(HashTree a, HashTree b) {
        int bits = Math.min(a.bits(), b.bits());
        for (int i = 0; i < 1 << bits; i++) {
            assertThat(a.hash(bits, i)).as("node %d at %d bits", i, bits).isEqualTo(b.hash(bits, i));
        }
        assertThat(a.keyCount()).as("key count").isEqualTo(b.keyCount());
        assertThat(tombstones(a)).as("tombstone-only keys").isEqualTo(tombstones(b));
        assertThat(a.root()).as("root").isEqualTo(b.root());
    }

    static TreeSet<String> tombstones(HashTree tree) {
        TreeSet<String> out = new TreeSet<>();
        tree.tombstoneKeys(Integer.MAX_VALUE).forEach(k -> out.add(hex(k)));
        assertThat(out).hasSize(tree.tombstoneCount());
        return out;
    }

    static String hex(byte[] key) {
        return HexFormat.of().formatHex(key);
    }

    /** Drives {@link StorageEngine#rebuildTree} in chunks of {@code chunk} keys until the tree is rebuilt. */
    static int rebuild(StorageEngine engine, int partition, int chunk) {
        for (int steps = 1; steps < 1_000_000; steps++) {
            if (await(engine.rebuildTree(partition, chunk)).done()) {
                return steps;
            }
        }
        throw new AssertionError("the rebuild of partition " + partition + " never ended");
    }

    /** The entry hash of a key as the engine stores it (what a purge expects). */
    static long entryHash(StorageEngine engine, int partition, byte[] key) {
        return KeyHash.entryHash(key, engine.getEncoded(partition, key));
    }

    /**
     * Holds an LMDB engine's writer inside a batch until {@link #release}: everything submitted meanwhile forms the
     * next batch, in submission order (up to the batch limit).
     */
    static final class WriterHold implements AutoCloseable {
        private final CountDownLatch running = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final CompletableFuture<SiblingSet> held;

        WriterHold(StorageEngine engine, int partition) {
            held = engine.update(partition, "writer-hold".getBytes(StandardCharsets.UTF_8), s -> {
                running.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("writer held for 30 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return s; // unchanged: writes nothing
            });
            try {
                assertThat(running.await(30, TimeUnit.SECONDS)).as("writer reached the hold").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        void release() {
            release.countDown();
            await(held);
        }

        @Override
        public void close() {
            release.countDown();
        }
    }
}
