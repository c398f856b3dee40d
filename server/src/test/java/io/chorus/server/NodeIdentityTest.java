package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity file: made once, checked on every start, its generation always growing. */
class NodeIdentityTest {

    private static final NodeId NODE = NodeId.of("db1");

    /** Wall-clock time set by the test. */
    private static final class SetClock implements Clock {
        final AtomicLong millis = new AtomicLong();

        SetClock(long seconds) {
            millis.set(seconds * 1000);
        }

        @Override
        public long nanoTime() {
            return millis.get() * 1_000_000;
        }

        @Override
        public long currentTimeMillis() {
            return millis.get();
        }
    }

    @Test
    void aNewDirectoryStartsAtTheClockAndEveryStartGrowsTheGeneration(@TempDir Path dir) {
        Path data = dir.resolve("new/data");
        SetClock clock = new SetClock(1_700_000_000);
        NodeIdentity first = NodeIdentity.loadOrCreate(data, "prod", NODE, 256, clock);
        assertThat(first).isEqualTo(new NodeIdentity("prod", NODE, 256, 1_700_000_000));
        assertThat(NodeIdentity.read(data)).contains(first);

        // Same second, then a clock set back by a day: still one more each time.
        NodeIdentity second = NodeIdentity.loadOrCreate(data, "prod", NODE, 256, clock);
        clock.millis.addAndGet(-86_400_000);
        NodeIdentity third = NodeIdentity.loadOrCreate(data, "prod", NODE, 256, clock);
        assertThat(second.generation()).isEqualTo(1_700_000_001);
        assertThat(third.generation()).isEqualTo(1_700_000_002);

        // A clock far ahead wins: a restart after a long stop takes the time.
        clock.millis.set(1_800_000_000_000L);
        assertThat(NodeIdentity.loadOrCreate(data, "prod", NODE, 256, clock).generation())
                .isEqualTo(1_800_000_000L);
        assertThat(NodeIdentity.read(data).orElseThrow().generation()).isEqualTo(1_800_000_000L);
        assertThat(data.resolve("identity.properties.tmp")).doesNotExist();
    }

    @Test
    void aWipedDirectoryStillStartsAboveWhatPeersRemember(@TempDir Path dir) throws IOException {
        SetClock clock = new SetClock(1_700_000_000);
        long before = NodeIdentity.loadOrCreate(dir.resolve("d"), "prod", NODE, 256, clock).generation();
        Files.delete(dir.resolve("d/identity.properties"));
        clock.millis.addAndGet(5_000);
        assertThat(NodeIdentity.loadOrCreate(dir.resolve("d"), "prod", NODE, 256, clock).generation())
                .isGreaterThan(before);
    }

    @Test
    void aDirectoryOfAnotherClusterNodeOrQIsRefusedAndLeftAsItWas(@TempDir Path dir) throws IOException {
        SetClock clock = new SetClock(1_700_000_000);
        NodeIdentity.loadOrCreate(dir, "prod", NODE, 256, clock);
        String before = Files.readString(dir.resolve(NodeIdentity.FILE_NAME));

        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir, "staging", NODE, 256, clock))
                .isInstanceOf(StartupException.class)
                .hasMessage("data_dir " + dir + " belongs to node db1 of cluster prod, not to cluster staging:"
                        + " point data_dir elsewhere, or wipe it to make a new node");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir, "prod", NodeId.of("db2"), 256, clock))
                .isInstanceOf(StartupException.class)
                .hasMessage("data_dir " + dir + " belongs to node db1 of cluster prod, not to node db2:"
                        + " point data_dir elsewhere, or wipe it to make a new node");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir, "prod", NODE, 512, clock))
                .isInstanceOf(StartupException.class)
                .hasMessage("data_dir " + dir + " holds data stored under 256 partitions, not 512: partitions is"
                        + " fixed for the life of a cluster");
        assertThat(Files.readString(dir.resolve(NodeIdentity.FILE_NAME))).isEqualTo(before);
    }

    @Test
    void aDamagedIdentityIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(NodeIdentity.FILE_NAME), "format=1\ncluster_name=prod\nnode_name=db1\n"
                + "partitions=256\n");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir, "prod", NODE, 256, new SetClock(1)))
                .isInstanceOf(StartupException.class)
                .hasMessage("identity file " + dir.resolve(NodeIdentity.FILE_NAME) + " is damaged (it has no"
                        + " generation): restore it, or wipe the directory to make a new node");
        Files.writeString(dir.resolve(NodeIdentity.FILE_NAME), "format=1\ncluster_name=prod\nnode_name=db1\n"
                + "partitions=256\ngeneration=soon\n");
        assertThatThrownBy(() -> NodeIdentity.read(dir)).hasMessageContaining("is damaged (For input string");
        Files.writeString(dir.resolve(NodeIdentity.FILE_NAME), "format=2\n");
        assertThatThrownBy(() -> NodeIdentity.read(dir)).hasMessageContaining("is damaged (format 2 is not 1)");
    }

    @Test
    void aStoreWithoutIdentityIsAdoptedButAForeignDirectoryIsNot(@TempDir Path dir) throws IOException {
        Path store = Files.createDirectories(dir.resolve("store"));
        Files.write(store.resolve("data.mdb"), new byte[16]);
        assertThat(NodeIdentity.loadOrCreate(store, "prod", NODE, 256, new SetClock(7)).generation()).isEqualTo(7);

        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(home, "prod", NODE, 256, new SetClock(7)))
                .isInstanceOf(StartupException.class)
                .hasMessage("data_dir " + home + " is not empty and holds no Chorus node (it has notes.txt): point"
                        + " data_dir at an empty or new directory");
        assertThat(home.resolve(NodeIdentity.FILE_NAME)).doesNotExist();

        // The lock file a refused start left behind does not count.
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Files.writeString(locked.resolve(DataDirLock.FILE_NAME), "123\n");
        assertThat(NodeIdentity.loadOrCreate(locked, "prod", NODE, 256, new SetClock(7))).isNotNull();
    }

    @Test
    void namesWithEscapesRoundTrip(@TempDir Path dir) {
        NodeIdentity id = NodeIdentity.loadOrCreate(dir, "c\\=:#!é", NodeId.of("n\\1=2"), 1, new SetClock(3));
        assertThat(NodeIdentity.read(dir)).contains(id);
    }

    @Test
    void oneLockPerDirectory(@TempDir Path dir) {
        DataDirLock lock = DataDirLock.acquire(dir);
        try {
            assertThatThrownBy(() -> DataDirLock.acquire(dir)).isInstanceOf(StartupException.class)
                    .hasMessage("data_dir " + dir + " is in use by another running node (" + dir.resolve("node.lock")
                            + " is locked)");
        } finally {
            lock.close();
        }
        DataDirLock.acquire(dir).close();
    }
}
