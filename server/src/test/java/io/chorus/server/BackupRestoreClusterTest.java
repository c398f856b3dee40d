package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.client.RequestOptions;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.ring.Ring;
import io.chorus.storage.Durability;
import io.chorus.storage.RestoreMarker;
import io.chorus.storage.StoreLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Backup and restore of one node of a real 3-node cluster through the CLI: the restored node takes a new epoch, so
 * the writes it coordinates after the restore are never taken for the ones it coordinated after the backup (which
 * its old epoch would have stamped with the same dots), and every acknowledged write stays readable. Periodic
 * anti-entropy is off, so that nothing but the new epoch keeps the restored node's new write apart from the update
 * made after the backup (REPAIR still runs on demand).
 */
class BackupRestoreClusterTest {

    /** W = 3 and R = 3 where it matters: each write is on every replica, so a read of any two sees it. */
    private static final RequestOptions ALL = new RequestOptions(3, 3, 3, 0);
    private static final RequestOptions R2 = new RequestOptions(3, 2, 2, 0);

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run chorus(String... args) {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> values(ChorusObject o) {
        return o.values().stream().map(v -> new String(v, StandardCharsets.UTF_8)).sorted().toList();
    }

    private static List<String> values(SiblingSet s) {
        return s.liveSiblings().stream().map(x -> new String(x.value(), StandardCharsets.UTF_8)).sorted().toList();
    }

    /** One store per node (the default), and a store of four shards, each its own LMDB environment and copy. */
    @ParameterizedTest(name = "{0} storage shard(s)")
    @ValueSource(ints = {1, 4})
    void aRestoredNodeTakesANewEpochAndLosesNoAcknowledgedWrite(int shards) throws Exception {
        Path backups = dir.resolve("backups");
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir.resolve("data"))
                .durability(Durability.NOSYNC).partitions(16).antiEntropy(AntiEntropyConfig.disabled())
                .storageShards(shards).start();
                ChorusClient client = cluster.client()) {
            String host = "127.0.0.1:" + cluster.node(0).address().getPort();
            ChorusNode node = cluster.node(2);
            Ring ring = node.ring();
            // Keys the restored node owns (it coordinates them first) and keys it does not.
            List<String> owned = new ArrayList<>();
            List<String> others = new ArrayList<>();
            for (int i = 0; owned.size() < 20 || others.size() < 20; i++) {
                String k = "key-" + i;
                boolean mine = ring.preferenceList(bytes(k), 3).get(0).equals(node.id());
                (mine ? owned : others).add(k);
            }
            Map<String, List<String>> expected = new LinkedHashMap<>();
            for (String k : concat(owned, others)) {
                client.put(bytes(k), bytes("v1-" + k), null, ALL);
                expected.put(k, List.of("v1-" + k));
            }

            Run backup = chorus("backup", "--host", host, backups.toString());
            assertThat(backup.code()).as(backup.err()).isZero();
            assertThat(backup.out().lines().filter(l -> l.matches("node-[123]: \\d+ bytes in \\d+ ms to .*")))
                    .hasSize(3);
            assertThat(backup.out()).contains("backed up 3 of 3 members");
            Path copy = backups.resolve(node.id().name());
            for (String f : List.of(NodeIdentity.FILE_NAME, "ring.state", NodeBackup.MANIFEST)) {
                assertThat(copy.resolve(f)).as(f).isRegularFile();
            }
            assertThat(StoreLayout.recorded(copy)).isEqualTo(shards);
            for (Path store : stores(copy, shards)) {
                assertThat(store.resolve("data.mdb")).isRegularFile();
                assertThat(store.resolve(RestoreMarker.FILE_NAME)).isRegularFile();
            }
            assertThat(copy.resolve("handoff.state")).doesNotExist();
            assertThat(copy.resolve("hashtrees.bin")).doesNotExist();
            // A second backup never writes over the first; a path that is a file is refused: one line each.
            Run again = chorus("backup", "--host", host, backups.toString());
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.out()).contains("node-3: failed: BAD_REQUEST: " + copy + " exists and is not empty");
            Files.writeString(dir.resolve("a-file"), "x");
            Run onFile = chorus("backup", "--host", host, dir.resolve("a-file").toString());
            assertThat(onFile.code()).isEqualTo(1);
            assertThat(onFile.out()).contains("is not a directory").contains("backed up 0 of 3 members");

            // After the backup, the node to be restored coordinates updates of its keys: dots its copy never saw.
            for (String k : owned) {
                VersionVector read = client.get(bytes(k), ALL).context();
                node.coordinator().put(bytes(k), read, bytes("v2-" + k), QuorumOptions.of(3, 3, 3)).join();
                expected.put(k, List.of("v2-" + k));
            }
            for (int i = 0; i < 10; i++) {
                String k = "late-" + i;
                node.coordinator().put(bytes(k), VersionVector.empty(), bytes("n-" + k), QuorumOptions.of(3, 3, 3))
                        .join();
                expected.put(k, List.of("n-" + k));
            }
            long oldEpoch = node.storage().epoch();

            cluster.stopGracefully(2);
            Run restore = chorus("restore", copy.toString(), "--data-dir", node.config().dataDir().toString());
            assertThat(restore.code()).as(restore.err()).isZero();
            assertThat(restore.out()).contains("restored node-3 of cluster").contains("identity kept");
            cluster.restart(2);
            long newEpoch = node.storage().epoch();
            assertThat(newEpoch).isNotEqualTo(oldEpoch);
            for (Path store : stores(node.config().dataDir(), shards)) {
                assertThat(store.resolve(RestoreMarker.FILE_NAME)).as(store.toString()).doesNotExist();
            }
            // The restored store is the copy: the later writes are not in it.
            assertThat(node.storage().get(ring.partitionOf(bytes(owned.get(0))), bytes(owned.get(0)))
                    .liveSiblings()).extracting(s -> new String(s.value(), StandardCharsets.UTF_8))
                    .containsExactly("v1-" + owned.get(0));

            // One key updated after the backup is left unread: a read would repair the restored node's copy of it.
            String k1 = owned.get(1);
            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                if (!e.getKey().equals(k1)) {
                    assertThat(values(client.get(bytes(e.getKey()), R2))).as(e.getKey()).isEqualTo(e.getValue());
                }
            }

            // New writes coordinated by the restored node, to keys it updated after the backup. With the context of
            // a read: it supersedes the update. Blind: a sibling of it. Either way under the new actor, never under
            // a dot the update already has (which the old epoch would have stamped again, and the other replicas
            // would have dropped as already seen).
            ActorId fresh = new ActorId(node.id(), newEpoch);
            String k0 = owned.get(0);
            SiblingSet superseding = node.coordinator().put(bytes(k0), client.get(bytes(k0), R2).context(),
                    bytes("v3-" + k0), QuorumOptions.of(3, 2, 2)).join();
            assertThat(superseding.liveSiblings()).extracting(Sibling::dot).allMatch(d -> d.actor().equals(fresh));
            expected.put(k0, List.of("v3-" + k0));
            assertThat(values(node.storage().get(ring.partitionOf(bytes(k1)), bytes(k1))))
                    .as("the restored node still holds the state of the backup").containsExactly("v1-" + k1);
            SiblingSet blind = node.coordinator().put(bytes(k1), VersionVector.empty(), bytes("blind-" + k1),
                    QuorumOptions.of(3, 2, 2)).join();
            assertThat(blind.liveSiblings()).anyMatch(s -> s.dot().actor().equals(fresh));
            expected.put(k1, List.of("blind-" + k1, "v2-" + k1));

            // REPAIR from every member answers; the restored node's syncs are deferred while its trees are not
            // rebuilt (never, with periodic anti-entropy off), so here its reads' repairs bring it up to date.
            Run repair = chorus("repair", "--host", host, "--progress", "none");
            assertThat(repair.code()).as(repair.out() + repair.err()).isZero();
            assertThat(repair.out()).contains("repaired 3 of 3 members");
            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                assertThat(values(client.get(bytes(e.getKey()), ALL))).as(e.getKey()).isEqualTo(e.getValue());
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                    byte[] k = bytes(e.getKey());
                    assertThat(values(node.storage().get(ring.partitionOf(k), k))).as("restored node, %s", e.getKey())
                            .isEqualTo(e.getValue());
                }
            });
        }
    }

    /** The directories of a store's LMDB environments: the directory itself, or its shards'. */
    private static List<Path> stores(Path dir, int shards) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            out.add(StoreLayout.environmentDir(dir, shards, i));
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
