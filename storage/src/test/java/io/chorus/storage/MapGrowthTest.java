package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The map starts tiny and grows under writes, while readers keep reading, and the data survives a reopen. */
class MapGrowthTest {

    private static final int KEYS = 3000;
    private static final int VALUE_SIZE = 1000;

    @TempDir
    Path dir;

    @Test
    void nextSizeDoublesUpToTheMaximum() {
        long a = MapGrowth.ALIGN;
        assertThat(MapGrowth.nextSize(4 * a, 100 * a)).isEqualTo(8 * a);
        assertThat(MapGrowth.nextSize(64 * a, 100 * a)).isEqualTo(100 * a);
        assertThat(MapGrowth.nextSize(100 * a, 100 * a)).isEqualTo(100 * a);
        assertThat(MapGrowth.nextSize(4 * a, Long.MAX_VALUE)).isEqualTo(8 * a);
    }

    /**
     * A backup's copy holds a reader for its whole length, and a growth must wait for every reader: so the copy
     * makes room first (twice what is used, and 64 MiB), and the writes during it need no growth.
     */
    @Test
    void aBackupGrowsTheMapAheadOfItsCopy() throws Exception {
        StorageConfig config = TestData.config(dir.resolve("live")).initialMapSize(64 * 1024).maxMapSize(1L << 30)
                .build();
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(config)) {
            for (int i = 0; i < 200; i++) {
                await(engine.put(1, key(i), value(i)));
            }
            StorageStats before = engine.stats();
            assertThat(before.mapSizeBytes()).isLessThan(64L << 20);
            engine.backup(dir.resolve("copy"));
            StorageStats after = engine.stats();
            assertThat(after.mapSizeBytes()).isGreaterThanOrEqualTo(2 * before.usedBytes() + (64L << 20));
            assertThat(after.mapGrowths()).isEqualTo(before.mapGrowths() + 1);
            await(engine.put(1, key(KEYS + 1), value(1)));
        }
    }

    @Test
    void growsFromTinyMapWhileReadersRunAndDataSurvivesReopen() throws Exception {
        StorageConfig config = TestData.config(dir).initialMapSize(64 * 1024).maxMapSize(1L << 30).build();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        AtomicBoolean writing = new AtomicBoolean(true);
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(config)) {
            await(engine.put(0, bytes("anchor"), value(-1)));
            List<Future<Long>> reads = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                // Readers hammer get and scan throughout; a read racing a remap would crash the JVM.
                reads.add(readers.submit(() -> {
                    long n = 0;
                    while (writing.get()) {
                        assertThat(engine.get(0, bytes("anchor")).size()).isEqualTo(1);
                        engine.scan(1, (k, v) -> true);
                        // STATS from any thread: what it reports of the map must not touch it during a remap.
                        assertThat(engine.stats().usedBytes()).isPositive();
                        n++;
                    }
                    return n;
                }));
            }
            List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                writes.add(engine.put(1, key(i), value(i)));
            }
            writes.forEach(TestData::await);
            writing.set(false);
            for (Future<Long> f : reads) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
            }
            StorageStats stats = engine.stats();
            assertThat(stats.mapGrowths()).isGreaterThanOrEqualTo(5);
            assertThat(stats.mapSizeBytes()).isGreaterThan((long) KEYS * VALUE_SIZE);
            assertThat(stats.writesRejected()).isZero();
        } finally {
            writing.set(false);
            readers.shutdownNow();
        }

        try (LmdbStorageEngine reopened = LmdbStorageEngine.open(config)) {
            for (int i = 0; i < KEYS; i++) {
                assertThat(reopened.get(1, key(i))).isEqualTo(value(i));
            }
            // Reopened with data bigger than the initial map: writes still grow it as needed.
            await(reopened.put(1, key(KEYS), value(KEYS)));
            assertThat(reopened.get(1, key(KEYS))).isEqualTo(value(KEYS));
        }
    }

    static byte[] key(int i) {
        return bytes(String.format("key-%06d", i));
    }

    static SiblingSet value(int i) {
        byte[] v = new byte[VALUE_SIZE];
        Arrays.fill(v, (byte) i);
        return SiblingSet.empty().update(VersionVector.empty(), A, v, 1);
    }
}
