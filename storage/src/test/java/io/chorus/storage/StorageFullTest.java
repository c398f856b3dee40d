package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The map reaches its maximum: writes fail as STORAGE_FULL, nothing committed is lost, space can be reclaimed. */
class StorageFullTest {

    static final int BIG = 32 * 1024;
    static final int FILL_PARTITION = 5;
    static final int KEEP_PARTITION = 6;

    @TempDir
    Path dir;

    @Test
    void fullMapFailsWritesKeepsDataAndRecoversAfterDrop() throws Exception {
        StorageConfig config = TestData.config(dir).initialMapSize(64 * 1024).maxMapSize(1L << 20).build();
        List<Integer> stored = new ArrayList<>();
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(config)) {
            await(engine.put(KEEP_PARTITION, bytes("keep"), value(1, 100)));
            Throwable full = fillUntilFull(engine, stored);

            assertThat(full).isInstanceOfSatisfying(StorageFullException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL));
            assertThat(stored).hasSizeGreaterThan(5);
            assertThat(engine.stats().mapSizeBytes()).isEqualTo(1L << 20);
            assertThat(engine.stats().mapGrowths()).isPositive();
            assertAllReadable(engine, stored);
        }

        try (LmdbStorageEngine engine = LmdbStorageEngine.open(config)) {
            assertAllReadable(engine, stored);
            assertThat(failure(engine.put(FILL_PARTITION, bytes("more"), value(2, BIG))))
                    .isInstanceOf(StorageFullException.class);

            await(engine.dropPartition(FILL_PARTITION));

            await(engine.put(FILL_PARTITION, bytes("more"), value(2, BIG)));
            assertThat(engine.get(FILL_PARTITION, bytes("more"))).isEqualTo(value(2, BIG));
            assertThat(engine.get(KEEP_PARTITION, bytes("keep"))).isEqualTo(value(1, 100));
        }
    }

    @Test
    void inABatchOnlyTheWritesThatDoNotFitFail() throws Exception {
        StorageConfig config = TestData.config(dir).initialMapSize(64 * 1024).maxMapSize(1L << 20).build();
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(config)) {
            fillUntilFull(engine, new ArrayList<>());
            // A full map still has a few free pages: a small write fits where a big one cannot. Queue both
            // into one batch behind a blocked writer.
            CountDownLatch inWriter = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<SiblingSet> blocker = engine.update(KEEP_PARTITION, bytes("blocker"), s -> {
                inWriter.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return s;
            });
            assertThat(inWriter.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<SiblingSet> huge = engine.put(FILL_PARTITION, bytes("huge"), value(3, 512 * 1024));
            CompletableFuture<SiblingSet> small = engine.put(KEEP_PARTITION, bytes("small"), value(4, 10));
            release.countDown();

            assertThat(failure(huge)).isInstanceOf(StorageFullException.class);
            await(small);
            await(blocker);
            assertThat(engine.get(KEEP_PARTITION, bytes("small"))).isEqualTo(value(4, 10));
            assertThat(engine.get(FILL_PARTITION, bytes("huge")).isEmpty()).isTrue();
        }
    }

    /** Writes big values one at a time until one fails; returns that failure, records what was acknowledged. */
    static Throwable fillUntilFull(StorageEngine engine, List<Integer> stored) {
        for (int i = 0; i < 1000; i++) {
            CompletableFuture<SiblingSet> f = engine.put(FILL_PARTITION, key(i), value(i, BIG));
            try {
                f.get(30, TimeUnit.SECONDS);
                stored.add(i);
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (InterruptedException | TimeoutException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("never became full");
    }

    static void assertAllReadable(StorageEngine engine, List<Integer> stored) {
        for (int i : stored) {
            assertThat(engine.get(FILL_PARTITION, key(i))).isEqualTo(value(i, BIG));
        }
        assertThat(engine.get(KEEP_PARTITION, bytes("keep"))).isEqualTo(value(1, 100));
    }

    static byte[] key(int i) {
        return bytes("fill-" + i);
    }

    static SiblingSet value(int i, int size) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) i);
        return SiblingSet.empty().update(VersionVector.empty(), A, v, 1);
    }
}
