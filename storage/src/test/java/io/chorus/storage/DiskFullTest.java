package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.StorageFullTest.FILL_PARTITION;
import static io.chorus.storage.StorageFullTest.KEEP_PARTITION;
import static io.chorus.storage.StorageFullTest.assertAllReadable;
import static io.chorus.storage.StorageFullTest.fillUntilFull;
import static io.chorus.storage.StorageFullTest.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.LmdbNativeException;

/**
 * A real ENOSPC: the environment lives on a 2 MiB tmpfs, far smaller than the map, so LMDB's page writes fail
 * with "no space left on device". Needs root to mount; skipped (not faked) where mounting is not permitted.
 */
class DiskFullTest {

    @TempDir
    Path dir;

    @Test
    void fullDiskFailsWritesKeepsDataAndRecoversAfterDrop() throws Exception {
        Path mnt = dir.resolve("tmpfs");
        Files.createDirectories(mnt);
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "tmpfs needs Linux");
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt.toString()) == 0,
                "cannot mount a tmpfs here (needs root)");
        try {
            StorageConfig config = TestData.config(mnt.resolve("data")).initialMapSize(64L << 20).build();
            List<Integer> stored = new ArrayList<>();
            try (LmdbStorageEngine engine = LmdbStorageEngine.open(config)) {
                await(engine.put(KEEP_PARTITION, bytes("keep"), value(1, 100)));
                Throwable full = fillUntilFull(engine, stored);

                // ENOSPC when write(2) wrote nothing; LMDB's EIO for a short write (the disk filled part way).
                assertThat(full).isInstanceOf(StorageFullException.class)
                        .cause().isInstanceOfSatisfying(LmdbNativeException.class,
                                e -> assertThat(e.getResultCode()).isIn(LmdbErrors.ENOSPC, LmdbErrors.EIO));
                assertThat(engine.stats().mapGrowths()).as("a full disk is not a full map").isZero();
                assertThat(stored).hasSizeGreaterThan(5);
                assertAllReadable(engine, stored);

                await(engine.dropPartition(FILL_PARTITION));
                await(engine.put(FILL_PARTITION, bytes("after"), value(3, StorageFullTest.BIG)));
            }
            try (LmdbStorageEngine reopened = LmdbStorageEngine.open(config)) {
                assertThat(reopened.get(FILL_PARTITION, bytes("after"))).isEqualTo(value(3, StorageFullTest.BIG));
                assertThat(reopened.get(KEEP_PARTITION, bytes("keep"))).isEqualTo(value(1, 100));
                assertThat(reopened.get(FILL_PARTITION, StorageFullTest.key(stored.get(0))).isEmpty()).isTrue();
            }
        } finally {
            run("umount", mnt.toString());
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
