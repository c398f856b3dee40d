package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.storage.RestoreMarker;
import io.chorus.storage.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline restore's refusals and what it keeps, removes and marks (the store is a stand-in file here). */
class NodeRestoreTest {

    private static final NodeId N1 = NodeId.of("n1");

    @TempDir
    Path dir;

    private Path backupOf(String cluster, NodeId node) throws Exception {
        Path b = Files.createTempDirectory(dir, "backup-" + cluster + "-" + node.name());
        Files.createDirectories(b);
        Files.writeString(b.resolve("data.mdb"), "store of the backup");
        NodeIdentity.loadOrCreate(b, cluster, node, 16, Clock.system());
        Files.writeString(b.resolve("ring.state"), "ring of the backup");
        return b;
    }

    @Test
    void restoresIntoTheNodesOwnDirectoryKeepingItsIdentityAndRingAndMarksANewEpoch() throws Exception {
        Path data = dir.resolve("data");
        NodeIdentity before = NodeIdentity.loadOrCreate(data, "c", N1, 16, Clock.system());
        Files.writeString(data.resolve("data.mdb"), "old store");
        Files.writeString(data.resolve("lock.mdb"), "old lock");
        Files.writeString(data.resolve("ring.state"), "newer ring");
        Files.writeString(data.resolve("handoff.state"), "progress");
        Files.writeString(data.resolve("hashtrees.bin"), "trees");
        NodeRestore.Result r = NodeRestore.restore(backupOf("c", N1), data);
        assertThat(r.keptIdentity()).isTrue();
        assertThat(r.ringFrom()).isEqualTo("data dir");
        assertThat(r.identity()).isEqualTo(before);
        assertThat(Files.readString(data.resolve("data.mdb"))).isEqualTo("store of the backup");
        assertThat(Files.readString(data.resolve("ring.state"))).isEqualTo("newer ring");
        assertThat(RestoreMarker.present(data)).isTrue();
        for (String gone : new String[] {"lock.mdb", "handoff.state", "hashtrees.bin", "data.mdb.restoring"}) {
            assertThat(data.resolve(gone)).as(gone).doesNotExist();
        }
        // The next start's generation still grows.
        assertThat(NodeIdentity.loadOrCreate(data, "c", N1, 16, Clock.system()).generation())
                .isGreaterThan(before.generation());
    }

    @Test
    void restoresOntoAnEmptyDiskWithTheBackupsIdentityAndRing() throws Exception {
        Path data = dir.resolve("new-disk");
        NodeRestore.Result r = NodeRestore.restore(backupOf("c", N1), data);
        assertThat(r.keptIdentity()).isFalse();
        assertThat(r.ringFrom()).isEqualTo("backup");
        assertThat(r.identity().nodeName()).isEqualTo(N1);
        assertThat(Files.readString(data.resolve("ring.state"))).isEqualTo("ring of the backup");
        assertThat(RestoreMarker.present(data)).isTrue();
    }

    @Test
    void refusesAnotherNodesDirectoryARunningNodeAndDataOfNobodyKnown() throws Exception {
        Path data = dir.resolve("data");
        NodeIdentity.loadOrCreate(data, "c", N1, 16, Clock.system());
        Files.writeString(data.resolve("data.mdb"), "mine");
        assertThatThrownBy(() -> NodeRestore.restore(backupOf("c", NodeId.of("n2")), data))
                .isInstanceOf(NodeRestore.Refused.class).hasMessageContaining("belongs to node n1 of cluster c");
        assertThatThrownBy(() -> NodeRestore.restore(backupOf("other", N1), data))
                .isInstanceOf(NodeRestore.Refused.class).hasMessageContaining("cluster other");
        Path backup = backupOf("c", N1);
        try (DataDirLock running = DataDirLock.acquire(data)) {
            assertThatThrownBy(() -> NodeRestore.restore(backup, data)).isInstanceOf(NodeRestore.Refused.class)
                    .hasMessageContaining("in use").hasMessageContaining("stop the node");
        }
        assertThat(Files.readString(data.resolve("data.mdb"))).as("refusals touch nothing").isEqualTo("mine");
        assertThat(RestoreMarker.present(data)).isFalse();

        Path handMade = dir.resolve("hand");
        Files.createDirectories(handMade);
        Files.writeString(handMade.resolve("data.mdb"), "copied by hand");
        assertThatThrownBy(() -> NodeRestore.restore(handMade, dir.resolve("empty")))
                .isInstanceOf(NodeRestore.Refused.class).hasMessageContaining("whose data this is cannot be told");
        assertThatThrownBy(() -> NodeRestore.restore(dir.resolve("nothing"), data))
                .isInstanceOf(NodeRestore.Refused.class).hasMessageContaining("is not a backup of a node");
        // A hand-made copy without identity restores into the node's own directory, and gets the marker.
        NodeRestore.restore(handMade, data);
        assertThat(Files.readString(data.resolve("data.mdb"))).isEqualTo("copied by hand");
        assertThat(RestoreMarker.present(data)).isTrue();
    }
    @Test
    void restoresAStoreOfSeveralShardsShardByShardAndRefusesAnotherCount() throws Exception {
        Path backup = Files.createTempDirectory(dir, "sharded-backup");
        Files.writeString(backup.resolve(StoreLayout.FILE_NAME), "shards=2\n");
        Files.createDirectories(backup.resolve("shard-0"));
        Files.writeString(backup.resolve("shard-0/data.mdb"), "shard 0 of the backup");
        NodeIdentity.loadOrCreate(backup, "c", N1, 16, Clock.system());
        assertThatThrownBy(() -> NodeRestore.restore(backup, dir.resolve("empty")))
                .isInstanceOf(NodeRestore.Refused.class).hasMessageContaining("it has no shard-1/data.mdb");
        Files.createDirectories(backup.resolve("shard-1"));
        Files.writeString(backup.resolve("shard-1/data.mdb"), "shard 1 of the backup");

        Path data = dir.resolve("new-disk");
        NodeRestore.Result r = NodeRestore.restore(backup, data);
        assertThat(r.identity().nodeName()).isEqualTo(N1);
        assertThat(StoreLayout.recorded(data)).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            Path shard = StoreLayout.shardDir(data, i);
            assertThat(Files.readString(shard.resolve("data.mdb"))).isEqualTo("shard " + i + " of the backup");
            assertThat(RestoreMarker.present(shard)).as("shard %d marked for a new epoch", i).isTrue();
        }
        assertThat(data.resolve("data.mdb")).doesNotExist();
        assertThat(r.bytes()).isEqualTo(2 * "shard 0 of the backup".length());
        // Again into the same directory (its own, now): the count matches, the shards are replaced.
        Files.writeString(StoreLayout.shardDir(data, 1).resolve("lock.mdb"), "stale lock");
        NodeRestore.restore(backup, data);
        assertThat(StoreLayout.shardDir(data, 1).resolve("lock.mdb")).doesNotExist();

        Path oneShard = dir.resolve("one-shard");
        NodeIdentity.loadOrCreate(oneShard, "c", N1, 16, Clock.system());
        Files.writeString(oneShard.resolve("data.mdb"), "mine");
        assertThatThrownBy(() -> NodeRestore.restore(backup, oneShard)).isInstanceOf(NodeRestore.Refused.class)
                .hasMessageContaining("holds a store of 1 shard").hasMessageContaining("not 2");
        assertThat(Files.readString(oneShard.resolve("data.mdb"))).as("a refusal touches nothing").isEqualTo("mine");
        assertThat(RestoreMarker.present(oneShard)).isFalse();
        assertThatThrownBy(() -> NodeRestore.restore(backupOf("c", N1), data)).isInstanceOf(NodeRestore.Refused.class)
                .hasMessageContaining("holds a store of 2 shards").hasMessageContaining("not 1");
    }
}
