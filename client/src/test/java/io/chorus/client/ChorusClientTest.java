package io.chorus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.core.NodeId;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.ring.Ring;
import io.chorus.transport.RemoteException;
import io.chorus.transport.protocol.RepairRequest;
import io.chorus.transport.protocol.RepairResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The client against real Netty servers on loopback, each backed by a {@link FakeNode}. */
class ChorusClientTest {

    private static ChorusClient client(FakeCluster cluster) {
        return ChorusClient.connect(ClientConfig.builder(List.of(cluster.address(0)))
                .requestTimeoutMillis(5_000).downBackoffMillis(50).connectTimeoutMillis(1_000).build());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void routesEveryKeyStraightToItsOwner() {
        try (FakeCluster cluster = new FakeCluster(4, 1); ChorusClient client = client(cluster)) {
            for (int i = 0; i < 200; i++) {
                client.put(b("key-" + i), b("v" + i), null);
                assertThat(client.get(b("key-" + i)).value()).isEqualTo(b("v" + i));
            }
            assertThat(cluster.nodes).allSatisfy(n -> {
                assertThat(n.notAReplica.get()).as("%s got a key it does not own", n.id).isZero();
                assertThat(n.served.get()).as("%s served nothing", n.id).isPositive();
            });
            assertThat(client.ring().version()).isEqualTo(cluster.ring.version());
        }
    }

    @Test
    void showsConcurrentWritesAsSiblingsAndResolvesThemWithTheContext() {
        try (FakeCluster cluster = new FakeCluster(3, 1); ChorusClient client = client(cluster)) {
            byte[] key = b("cart");
            assertThat(client.get(key).found()).as("a key never written is not found, not an error").isFalse();
            client.put(key, b("apple"), null);
            client.put(key, b("pear"), null);
            ChorusObject read = client.get(key);
            assertThat(read.hasConflict()).isTrue();
            assertThat(read.values()).extracting(String::new).containsExactlyInAnyOrder("apple", "pear");

            ChorusObject resolved = client.put(key, b("apple+pear"), read.context());
            assertThat(resolved.values()).extracting(String::new).containsExactly("apple+pear");

            VersionVector afterDelete = client.delete(key, resolved.context());
            ChorusObject gone = client.get(key);
            assertThat(gone.found()).isFalse();
            assertThat(gone.context()).isEqualTo(afterDelete);
        }
    }

    @Test
    void repairAsksTheNodeGivenForAllItsPartitionsOrOne() {
        try (FakeCluster cluster = new FakeCluster(3, 1); ChorusClient client = client(cluster)) {
            RepairResponse all = client.repairAsync(cluster.address(2), OptionalInt.empty()).join();
            assertThat(all).isEqualTo(FakeNode.REPAIRED);
            RepairResponse one = client.repairAsync(cluster.address(2), OptionalInt.of(65_535)).join();
            assertThat(one).isEqualTo(FakeNode.REPAIRED);
            assertThat(cluster.nodes.get(2).repairs).containsExactly(RepairRequest.allPartitions(),
                    RepairRequest.partition(65_535));
            assertThat(cluster.nodes.get(0).repairs).isEmpty();
            assertThat(cluster.nodes.get(1).repairs).isEmpty();
            assertThatThrownBy(() -> client.repairAsync(cluster.address(2), OptionalInt.of(65_536)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void failsOverToTheNextReplicaWhenTheOwnerIsDown() {
        try (FakeCluster cluster = new FakeCluster(4, 2); ChorusClient client = client(cluster)) {
            byte[] key = b("failover");
            List<NodeId> prefs = cluster.ring.preferenceList(key, 2);
            client.put(key, b("before"), null);
            assertThat(cluster.node(prefs.get(0)).data).hasSize(1);

            cluster.stop(cluster.indexOf(prefs.get(0)));
            int servedBefore = cluster.node(prefs.get(1)).served.get();
            client.put(key, b("after"), null);
            assertThat(client.get(key).values()).extracting(String::new).containsExactly("after");
            assertThat(cluster.node(prefs.get(1)).served.get()).isEqualTo(servedBefore + 2);
        }
    }

    @Test
    void refreshesTheRingWhenANodeSaysItIsNotAReplica() {
        try (FakeCluster cluster = new FakeCluster(4, 1); ChorusClient client = client(cluster)) {
            assertThat(client.ring().version()).isEqualTo(1);
            Ring old = cluster.ring;
            List<NodeId> rotated = new ArrayList<>();
            for (int p = 0; p < old.partitionCount(); p++) {
                rotated.add(old.owner((p + 1) % old.partitionCount()));
            }
            cluster.ring = Ring.of(2, old.members(), rotated);

            for (int i = 0; i < 50; i++) {
                client.put(b("moved-" + i), b("v"), null);
            }
            assertThat(client.ring().version()).isEqualTo(2);
            int misrouted = cluster.nodes.stream().mapToInt(n -> n.notAReplica.get()).sum();
            assertThat(misrouted).as("the stale ring misrouted once, then never again").isEqualTo(1);
        }
    }

    @Test
    void noticesANewerRingVersionInReplies() {
        try (FakeCluster cluster = new FakeCluster(3, 3); ChorusClient client = client(cluster)) {
            Ring old = cluster.ring;
            List<NodeId> owners = new ArrayList<>();
            for (int p = 0; p < old.partitionCount(); p++) {
                owners.add(old.owner(p));
            }
            cluster.ring = Ring.of(7, old.members(), owners);
            client.get(b("anything"));
            await().atMost(Duration.ofSeconds(5)).until(() -> client.ring().version() == 7);
        }
    }

    @Test
    void serverErrorsArriveTypedWithTheirAcks() {
        try (FakeCluster cluster = new FakeCluster(3, 3); ChorusClient client = client(cluster)) {
            assertThatThrownBy(() -> client.get(b("quorum-fails")))
                    .isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.QUORUM_NOT_MET);
                        assertThat(e.acks()).isEqualTo(1);
                        assertThat(e.required()).isEqualTo(2);
                    });
        }
    }

    @Test
    void reconnectsAfterTheServerRestarts() {
        try (FakeCluster cluster = new FakeCluster(1, 1); ChorusClient client = client(cluster)) {
            client.put(b("k"), b("v"), null);
            cluster.stop(0);
            assertThatThrownBy(() -> client.get(b("k")))
                    .isInstanceOfSatisfying(ChorusException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            cluster.restart(0);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> client.get(b("k")).found());
        }
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnAnswer() {
        try (FakeCluster cluster = new FakeCluster(3, 1); ChorusClient client = client(cluster)) {
            List<CompletableFuture<ChorusObject>> puts = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                puts.add(client.putAsync(b("c-" + i), b("value-" + i), null));
            }
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
            List<CompletableFuture<ChorusObject>> gets = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                gets.add(client.getAsync(b("c-" + i)));
            }
            for (int i = 0; i < 2000; i++) {
                ChorusObject o = gets.get(i).join();
                assertThat(new String(o.key())).isEqualTo("c-" + i);
                assertThat(o.value()).isEqualTo(b("value-" + i));
            }
        }
    }

    @Test
    void keepsOneConnectionPerNodeByDefaultAndSpreadsOverMoreWhenAsked() {
        try (FakeCluster cluster = new FakeCluster(3, 1); ChorusClient client = client(cluster)) {
            for (int i = 0; i < 60; i++) {
                client.put(b("one-" + i), b("v"), null);
            }
            // Each server: the client's one connection (the seed's also carried the ring fetch).
            for (int n = 0; n < 3; n++) {
                assertThat(cluster.servers.get(n).connectionCount()).as("server %d", n).isEqualTo(1);
            }
        }
        try (FakeCluster cluster = new FakeCluster(3, 1);
             ChorusClient client = ChorusClient.connect(ClientConfig.builder(List.of(cluster.address(0)))
                     .connectionsPerNode(3).requestTimeoutMillis(5_000).build())) {
            for (int i = 0; i < 60; i++) {
                client.put(b("three-" + i), b("v"), null);
            }
            for (int n = 0; n < 3; n++) {
                assertThat(cluster.servers.get(n).connectionCount()).as("server %d", n).isEqualTo(3);
            }
        }
    }

    @Test
    void rejectsImpossibleOptionsBeforeSending() {
        assertThatThrownBy(() -> RequestOptions.defaults().withN(2).withW(3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RequestOptions(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
