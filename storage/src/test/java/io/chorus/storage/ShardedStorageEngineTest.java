package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.values;
import static io.chorus.storage.TestData.written;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store split into shards: each partition in one shard's environment, the layout fixed for the directory, one
 * epoch that no shard can keep while another restarts its counters, and backups that reopen as the same store.
 */
class ShardedStorageEngineTest {

    private static final int SHARDS = 4;
    private static final int PARTITIONS = 16;

    @TempDir
    Path dir;

    private ShardedStorageEngine open(Path at, int shards) {
        return ShardedStorageEngine.open(TestData.config(at).build(), shards);
    }

    /** One key in every partition, written by A; returns the keys by partition. */
    private static List<byte[]> writeOnePerPartition(ShardedStorageEngine engine, String value) {
        List<byte[]> keys = new ArrayList<>();
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            byte[] key = bytes("key-" + p);
            keys.add(key);
            writes.add(engine.update(p, key, stored -> written(stored, A, value)));
        }
        writes.forEach(TestData::await);
        return keys;
    }

    @Test
    void eachPartitionLivesInItsShardAndEverythingSurvivesAReopen() throws Exception {
        Path store = dir.resolve("store");
        try (ShardedStorageEngine engine = open(store, SHARDS)) {
            assertThat(engine.shards()).isEqualTo(SHARDS);
            writeOnePerPartition(engine, "v1");
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(engine.trees().tree(p).keyCount()).as("partition %d's tree", p).isEqualTo(1);
            }
            // A writer counts a batch just after completing its futures: the sums catch up a moment later.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(engine.stats().writesCommitted()).isEqualTo(PARTITIONS);
                assertThat(engine.stats().batchesCommitted()).as("one writer a shard, each commits its own")
                        .isGreaterThanOrEqualTo(SHARDS);
            });
        }
        assertThat(StoreLayout.recorded(store)).isEqualTo(SHARDS);
        assertThat(store.resolve("data.mdb")).as("no environment at the top").doesNotExist();
        // Each shard's own environment holds exactly its partitions (p mod S).
        for (int s = 0; s < SHARDS; s++) {
            try (LmdbStorageEngine shard = LmdbStorageEngine.open(TestData.config(StoreLayout.shardDir(store, s))
                    .build())) {
                for (int p = 0; p < PARTITIONS; p++) {
                    boolean here = !shard.get(p, bytes("key-" + p)).isEmpty();
                    assertThat(here).as("partition %d in shard %d", p, s).isEqualTo(p % SHARDS == s);
                }
            }
        }
        try (ShardedStorageEngine engine = open(store, SHARDS)) {
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(values(engine.get(p, bytes("key-" + p)))).containsExactly("v1");
                assertThat(engine.trees().tree(p).isReady()).as("trees saved at the clean close").isTrue();
            }
            List<byte[]> seen = new ArrayList<>();
            engine.scan(5, (key, set) -> seen.add(key));
            assertThat(seen).containsExactly(bytes("key-5"));
            await(engine.dropPartition(5));
            assertThat(engine.get(5, bytes("key-5")).isEmpty()).isTrue();
            assertThat(engine.get(9, bytes("key-9")).isEmpty()).as("another partition of the same shard").isFalse();
        }
    }

    @Test
    void aDirectoryKeepsTheShardCountItWasMadeWith() {
        Path four = dir.resolve("four");
        open(four, SHARDS).close();
        assertThatThrownBy(() -> open(four, 2)).isInstanceOf(ChorusException.class)
                .hasMessageContaining("holds a store of 4 shards").hasMessageContaining("not 2")
                .satisfies(e -> assertThat(((ChorusException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> open(four, 1)).hasMessageContaining("holds a store of 4 shards");

        Path one = dir.resolve("one");
        try (ShardedStorageEngine engine = open(one, 1)) {
            await(engine.update(3, bytes("k"), stored -> written(stored, A, "v")));
        }
        assertThat(one.resolve("data.mdb")).as("one shard: the plain layout").isRegularFile();
        assertThat(one.resolve(StoreLayout.FILE_NAME)).doesNotExist();
        assertThatThrownBy(() -> open(one, SHARDS)).hasMessageContaining("holds a store of 1 shard (data.mdb)");
        assertThat(one.resolve(StoreLayout.FILE_NAME)).as("a refused open writes nothing").doesNotExist();
        try (ShardedStorageEngine engine = open(one, 1)) {
            assertThat(values(engine.get(3, bytes("k")))).containsExactly("v");
        }
        assertThatThrownBy(() -> open(dir.resolve("many"), StoreLayout.MAX_SHARDS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEpochIsStableAndChangesWhenAnyOneShardIsWiped() throws Exception {
        Path store = dir.resolve("store");
        long first;
        try (ShardedStorageEngine engine = open(store, SHARDS)) {
            first = engine.epoch();
        }
        Set<Long> epochs = new HashSet<>(List.of(first));
        try (ShardedStorageEngine engine = open(store, SHARDS)) {
            assertThat(engine.epoch()).isEqualTo(first);
        }
        for (int s = 0; s < SHARDS; s++) {
            deleteTree(StoreLayout.shardDir(store, s));
            try (ShardedStorageEngine engine = open(store, SHARDS)) {
                assertThat(engine.epoch()).isNotNegative();
                assertThat(epochs.add(engine.epoch())).as("a new epoch after wiping shard %d", s).isTrue();
            }
        }
        // One shard's epoch is not the store's: the store's mixes them all.
        try (LmdbStorageEngine shard = LmdbStorageEngine.open(TestData.config(StoreLayout.shardDir(store, 0))
                .build())) {
            assertThat(epochs).doesNotContain(shard.epoch());
        }
    }

    @Test
    void aBackupReopensAsTheSameStoreUnderANewEpoch() throws Exception {
        Path store = dir.resolve("store");
        Path copy = dir.resolve("copy");
        long epoch;
        try (ShardedStorageEngine engine = open(store, SHARDS)) {
            writeOnePerPartition(engine, "before");
            epoch = engine.epoch();
            long bytes = engine.backup(copy);
            assertThat(bytes).isPositive();
            writeOnePerPartition(engine, "after");
            assertThatThrownBy(() -> engine.backup(copy)).as("never into a directory that is not empty")
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(StoreLayout.recorded(copy)).isEqualTo(SHARDS);
        for (int s = 0; s < SHARDS; s++) {
            assertThat(RestoreMarker.present(StoreLayout.shardDir(copy, s))).isTrue();
        }
        try (ShardedStorageEngine restored = open(copy, SHARDS)) {
            assertThat(restored.epoch()).isNotEqualTo(epoch);
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(values(restored.get(p, bytes("key-" + p)))).containsExactly("before");
            }
        }
    }

    @Test
    void mixedEpochsDependOnEveryShardAndItsPlace() {
        long[] base = {11, 22, 33, 44};
        long mixed = ShardedStorageEngine.mixEpochs(base);
        assertThat(mixed).isNotNegative();
        for (int i = 0; i < base.length; i++) {
            long[] changed = base.clone();
            changed[i]++;
            assertThat(ShardedStorageEngine.mixEpochs(changed)).as("shard %d changed", i).isNotEqualTo(mixed);
        }
        assertThat(ShardedStorageEngine.mixEpochs(new long[] {22, 11, 33, 44})).isNotEqualTo(mixed);
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
