package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.StorageFullTest.FILL_PARTITION;
import static io.chorus.storage.StorageFullTest.KEEP_PARTITION;
import static io.chorus.storage.StorageFullTest.assertAllReadable;
import static io.chorus.storage.StorageFullTest.fillUntilFull;
import static io.chorus.storage.StorageFullTest.value;
import static org.assertj.core.api.Assertions.assertThat;

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
 * with "no space left on device". Needs root to mount; skipped (not faked, and saying so on stderr) where mounting
 * is not permitted, except under CI ({@code CHORUS_CI=1}), where it fails instead: see {@link MachineRequirement}.
 */
class DiskFullTest {

    @TempDir
    Path dir;

    @Test
    void fullDiskFailsWritesKeepsDataAndRecoversAfterDrop() throws Exception {
        Path mnt = dir.resolve("tmpfs");
        Files.createDirectories(mnt);
        MachineRequirement.require(System.getProperty("os.name").startsWith("Linux"), "DiskFullTest",
                "a tmpfs needs Linux");
        Path mountLog = dir.resolve("mount.log");
        int mounted = run(mountLog, "mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt.toString());
        MachineRequirement.require(mounted == 0, "DiskFullTest", "cannot mount a 2 MiB tmpfs (needs root; user "
                + System.getProperty("user.name") + "): mount exited " + mounted + ", "
                + Files.readString(mountLog).strip());
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
            run(dir.resolve("umount.log"), "umount", mnt.toString());
        }
    }

    /** Runs {@code command} with its output in {@code log}; its exit code, or -1 if it cannot start or hangs. */
    private static int run(Path log, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            Files.writeString(log, e.toString());
            return -1;
        }
        try {
            return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } finally {
            p.destroyForcibly();
        }
    }
}
