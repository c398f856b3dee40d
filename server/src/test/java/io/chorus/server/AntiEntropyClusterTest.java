package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.RequestOptions;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.ring.Ring;
import io.chorus.storage.Durability;
import io.chorus.transport.protocol.RepairResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy on real nodes (Netty on loopback, LMDB in temp dirs): a wiped node rebuilt from its replicas, a
 * crashed node's trees rebuilt by scan before it syncs, and REPAIR and STATS through the Java client.
 */
class AntiEntropyClusterTest {

    private static final int KEYS = 2_000;
    /** Quick rounds, so that a test sees several within seconds. */
    private static final AntiEntropyConfig FAST = AntiEntropyConfig.defaults().withSchedule(50, 500, 2);

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static SiblingSet stored(ChorusNode node, byte[] key) {
        return node.storage().get(node.ring().partitionOf(key), key);
    }

    private static void writeAll(ChorusClient client) {
        for (int i = 0; i < KEYS; i++) {
            client.put(key(i), ("v" + i).getBytes(StandardCharsets.UTF_8), null, new RequestOptions(3, 0, 3, 0));
        }
    }

    /** Whether every node of each key's preference list holds the same state, and a live one. */
    private static boolean everyReplicaHoldsEveryKey(EmbeddedCluster cluster) {
        Ring ring = cluster.node(0).ring();
        for (int i = 0; i < KEYS; i++) {
            SiblingSet first = null;
            for (NodeId id : ring.preferenceList(key(i), 3)) {
                SiblingSet s = stored(cluster.node(cluster.ids().indexOf(id)), key(i));
                if (s.isEmpty() || (first != null && !first.equals(s))) {
                    return false;
                }
                first = s;
            }
        }
        return true;
    }

    @Test
    void aWipedNodeIsRebuiltCompletelyByAntiEntropyAndItsNewEpochWritesAreNew(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .antiEntropy(FAST).start(); ChorusClient client = cluster.client()) {
            writeAll(client);
            long oldEpoch = cluster.node(2).storage().epoch();
            cluster.wipe(2);
            assertThat(cluster.node(2).storage().epoch()).isNotEqualTo(oldEpoch);
            assertThat(stored(cluster.node(2), key(0)).isEmpty()).as("the wipe lost the data").isTrue();

            // Nobody reads: only anti-entropy can bring the data back.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> everyReplicaHoldsEveryKey(cluster));

            // A blind write through the wiped node stamps a dot of its new actor: a sibling, never "already seen".
            ChorusNode wiped = cluster.node(2);
            ActorId fresh = new ActorId(wiped.id(), wiped.storage().epoch());
            SiblingSet after = wiped.coordinator().put(key(7), VersionVector.empty(), "blind".getBytes(
                    StandardCharsets.UTF_8), io.chorus.coordinator.QuorumOptions.of(3, 2, 2)).join();
            assertThat(after.liveSiblings()).hasSize(2);
            assertThat(after.liveSiblings()).anyMatch(s -> s.dot().actor().equals(fresh));
        }
    }

    @Test
    void aCrashedNodesTreesAreRebuiltByScanAndItsMissedWritesArrive(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .antiEntropy(FAST).start(); ChorusClient client = cluster.client()) {
            writeAll(client);
            cluster.crash(1);
            // Written while node 1 is down, straight into node 0's store: no hint, no replica write.
            ChorusNode n0 = cluster.node(0);
            Ring ring = n0.ring();
            int missed = 0;
            for (int i = KEYS; i < KEYS + 200; i++) {
                byte[] k = key(i);
                if (ring.preferenceList(k, 3).contains(n0.id())) {
                    SiblingSet s = SiblingSet.empty().update(VersionVector.empty(), new ActorId(n0.id(),
                            n0.storage().epoch()), "late".getBytes(StandardCharsets.UTF_8), 1);
                    n0.storage().put(ring.partitionOf(k), k, s).join();
                    missed++;
                }
            }
            cluster.restart(1);
            int expected = missed;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                int held = 0;
                for (int i = KEYS; i < KEYS + 200; i++) {
                    if (ring.preferenceList(key(i), 3).contains(n0.id())
                            && !stored(cluster.node(1), key(i)).isEmpty()) {
                        held++;
                    }
                }
                return held == expected;
            });
            // A crash leaves no valid tree file: every tree of the node was rebuilt by scan before it could sync.
            assertThat(cluster.node(1).antiEntropy().stats().treeRebuilds()).isEqualTo(ring.partitionCount());
        }
    }

    @Test
    void repairAndStatsThroughTheClient(@TempDir Path dir) throws Exception {
        AntiEntropyConfig manual = AntiEntropyConfig.disabled();
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .antiEntropy(manual).start(); ChorusClient client = cluster.client()) {
            writeAll(client);
            ChorusNode n0 = cluster.node(0);
            byte[] k = key(KEYS + 1);
            int p = n0.ring().partitionOf(k);
            SiblingSet s = SiblingSet.empty().update(VersionVector.empty(), new ActorId(n0.id(), n0.storage().epoch()),
                    "only-here".getBytes(StandardCharsets.UTF_8), 1);
            n0.storage().put(p, k, s).join();
            assertThat(n0.ring().preferenceList(k, 3)).contains(n0.id());

            RepairResponse all = client.repairAsync(cluster.addresses().get(0), OptionalInt.empty())
                    .get(60, TimeUnit.SECONDS);
            assertThat(all.exchanges()).as("every held partition with each of 2 peers").isEqualTo(
                    2L * n0.ring().partitionCount());
            assertThat(all.failed()).isZero();
            assertThat(all.repaired()).isEqualTo(2);
            assertThat(all.keysPushed()).isEqualTo(2);
            for (NodeId id : n0.ring().preferenceList(k, 3)) {
                assertThat(stored(cluster.node(cluster.ids().indexOf(id)), k)).as("%s", id).isEqualTo(s);
            }

            RepairResponse one = client.repairAsync(cluster.addresses().get(0), OptionalInt.of(p))
                    .get(60, TimeUnit.SECONDS);
            assertThat(one.partitions()).isEqualTo(1);
            assertThat(one.inSync()).isEqualTo(2);

            Map<String, Long> stats = client.statsAsync(cluster.addresses().get(0)).get(10, TimeUnit.SECONDS);
            assertThat(stats).containsKeys("aae.exchanges", "aae.keys_pushed", "aae.bytes_sent", "aae.tree_rebuilds",
                    "aae.tombstones_purged", "budget.keys_spent", "aae.last_sync_ms.p" + p);
            assertThat(stats.get("aae.exchanges")).isEqualTo(all.exchanges() + one.exchanges());
            assertThat(stats.get("aae.keys_pushed")).isEqualTo(2);
        }
    }
}
