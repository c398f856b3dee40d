package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.client.RequestOptions;
import io.chorus.coordinator.Coordinator;
import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.NodeId;
import io.chorus.core.error.QuorumException;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.ring.Ring;
import io.chorus.storage.Durability;
import io.chorus.transport.RemoteException;
import io.chorus.transport.netty.ClientConnection;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.protocol.GetRequest;
import io.chorus.transport.protocol.GetResponse;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PutRequest;
import io.chorus.transport.protocol.Role;
import io.chorus.core.causal.VersionVector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request path on real nodes: real Netty on loopback, real LMDB in temp dirs, the real Java client. */
class EmbeddedClusterTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The state a node's own store holds for {@code key}: what a replica really has on disk. */
    private static SiblingSet stored(ChorusNode node, byte[] key) {
        return node.storage().get(node.ring().partitionOf(key), key);
    }

    private static int indexOf(EmbeddedCluster cluster, NodeId id) {
        return cluster.ids().indexOf(id);
    }

    @Test
    void putGetAndDeleteAtSeveralQuorums(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).start();
             ChorusClient client = cluster.client()) {
            int k = 0;
            for (RequestOptions opts : List.of(RequestOptions.defaults(), new RequestOptions(3, 3, 3, 0),
                    new RequestOptions(3, 1, 1, 0), new RequestOptions(1, 1, 1, 0), new RequestOptions(2, 2, 1, 0))) {
                byte[] key = b("key-" + k++);
                ChorusObject written = client.put(key, b("v1"), null, opts);
                assertThat(client.get(key, opts).values()).as("%s", opts).extracting(String::new)
                        .containsExactly("v1");
                ChorusObject updated = client.put(key, b("v2"), written.context(), opts);
                assertThat(updated.values()).extracting(String::new).containsExactly("v2");
                client.delete(key, updated.context(), opts);
                assertThat(client.get(key, opts).found()).as("deleted at %s", opts).isFalse();
            }
        }
    }

    @Test
    void aNodeOutsideThePreferenceListForwardsToAReplica(@TempDir Path dir) throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .start(); EventLoops loops = EventLoops.create(1, "test-client")) {
            Ring ring = cluster.node(0).ring();
            byte[] key = null;
            for (int i = 0; key == null; i++) {
                byte[] candidate = b("fwd-" + i);
                if (!ring.preferenceList(candidate, 1).contains(cluster.node(0).id())) {
                    key = candidate;
                }
            }
            // A raw connection to node 0, which is not the key's replica at N = 1.
            ClientConnection conn = ClientConnection.connect(loops, cluster.node(0).address(),
                    HelloRequest.of(Role.CLIENT, "raw"), ClientOptions.defaults()).get(5, TimeUnit.SECONDS);
            conn.request(Message.of(Opcodes.PUT, new PutRequest(key, VersionVector.empty(), b("forwarded"), 1, 1, 0)
                    .encode()), 5_000).get(5, TimeUnit.SECONDS);
            Message reply = conn.request(Message.of(Opcodes.GET, new GetRequest(key, 1, 1, 0).encode()), 5_000)
                    .get(5, TimeUnit.SECONDS);
            assertThat(GetResponse.decode(reply.bodyUnsafe()).value().liveSiblings()).singleElement()
                    .satisfies(s -> assertThat(s.value()).isEqualTo(b("forwarded")));
            ChorusNode owner = cluster.node(indexOf(cluster, ring.preferenceList(key, 1).get(0)));
            assertThat(stored(owner, key).liveSiblings()).hasSize(1);
            assertThat(stored(cluster.node(0), key).isEmpty()).as("the forwarder stores nothing").isTrue();
            assertThat(cluster.node(0).coordinator().stats().forwards()).isEqualTo(2);
            conn.close();
        }
    }

    /** The spec says these requests are empty; a body is a request this version does not understand. */
    @Test
    void statsAndClusterInfoRefuseABody(@TempDir Path dir) throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).dataDir(dir).durability(Durability.NOSYNC)
                .coordinator(io.chorus.coordinator.CoordinatorConfig.defaults().withQuorum(1, 1, 1)).start();
             EventLoops loops = EventLoops.create(1, "test-client")) {
            ClientConnection conn = ClientConnection.connect(loops, cluster.node(0).address(),
                    HelloRequest.of(Role.CLIENT, "raw"), ClientOptions.defaults()).get(5, TimeUnit.SECONDS);
            for (int opcode : new int[] {Opcodes.STATS, Opcodes.CLUSTER_INFO}) {
                assertThatThrownBy(() -> conn.request(Message.of(opcode, new byte[] {0}), 5_000).join())
                        .hasCauseInstanceOf(RemoteException.class)
                        .satisfies(e -> assertThat(((RemoteException) e.getCause()).code())
                                .isEqualTo(ErrorCode.BAD_REQUEST));
                assertThat(conn.request(Message.of(opcode, new byte[0]), 5_000).get(5, TimeUnit.SECONDS)).isNotNull();
            }
            conn.close();
        }
    }

    @Test
    void aDownReplicaGetsItsWritesByHintedHandoffAfterItComesBack(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(4).dataDir(dir).durability(Durability.NOSYNC)
                .start(); ChorusClient client = cluster.client()) {
            byte[] key = b("hinted");
            List<NodeId> prefs = cluster.node(0).ring().preferenceList(key, 3);
            int down = indexOf(cluster, prefs.get(2));
            cluster.crash(down);

            ChorusObject written = client.put(key, b("while-down"), null, RequestOptions.defaults().withW(2));
            assertThat(written.values()).extracting(String::new).containsExactly("while-down");
            // W = 2 may be met by the coordinator and the live replica before the fallback's hint lands.
            await("a fallback takes the write for the down replica").atMost(Duration.ofSeconds(10))
                    .until(() -> hintsStored(cluster) > 0);
            long hints = hintsStored(cluster);

            cluster.restart(down);
            ChorusNode back = cluster.node(down);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !stored(back, key).liveSiblings().isEmpty());
            assertThat(stored(back, key).liveSiblings()).singleElement()
                    .satisfies(s -> assertThat(s.value()).isEqualTo(b("while-down")));
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().stream()
                    .mapToLong(n -> n.coordinator().stats().hintsDelivered()).sum() >= hints);
        }
    }

    private static long hintsStored(EmbeddedCluster cluster) {
        return cluster.nodes().stream().filter(ChorusNode::isRunning)
                .mapToLong(n -> n.coordinator().stats().hintsStored()).sum();
    }

    @Test
    void aStaleReplicaIsRepairedByARead(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .start(); ChorusClient client = cluster.client()) {
            byte[] key = b("repair-me");
            ChorusObject first = client.put(key, b("old"), null, new RequestOptions(3, 3, 3, 0));
            cluster.crash(2);
            // Three nodes, N = 3: no fallback exists, so node 2 misses this write entirely.
            client.put(key, b("new"), first.context(), RequestOptions.defaults().withW(2));
            cluster.restart(2);
            assertThat(stored(cluster.node(2), key).liveSiblings()).singleElement()
                    .satisfies(s -> assertThat(s.value()).isEqualTo(b("old")));

            assertThat(client.get(key, new RequestOptions(3, 3, 0, 0)).values()).extracting(String::new)
                    .containsExactly("new");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(stored(cluster.node(2), key).liveSiblings()).singleElement()
                            .satisfies(s -> assertThat(s.value()).isEqualTo(b("new"))));
        }
    }

    @Test
    void concurrentWritesFromOneContextBecomeSiblingsThatAMergedWriteCollapses(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .start(); ChorusClient alice = cluster.client(); ChorusClient bob = cluster.client()) {
            byte[] key = b("shared");
            ChorusObject base = alice.put(key, b("base"), null);
            alice.put(key, b("alice"), base.context());
            bob.put(key, b("bob"), base.context());
            ChorusObject read = alice.get(key, new RequestOptions(3, 3, 0, 0));
            assertThat(read.values()).extracting(String::new).containsExactlyInAnyOrder("alice", "bob");
            alice.put(key, b("alice+bob"), read.context());
            assertThat(bob.get(key, new RequestOptions(3, 3, 0, 0)).values()).extracting(String::new)
                    .containsExactly("alice+bob");
        }
    }

    @Test
    void failuresSayWhatHappened(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .start(); ChorusClient client = cluster.client()) {
            assertThatThrownBy(() -> client.put(b("k"), b("v"), null, new RequestOptions(4, 0, 2, 0)))
                    .isInstanceOfSatisfying(ChorusException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            byte[] key = b("needs-all-three");
            cluster.crash(indexOf(cluster, cluster.node(0).ring().preferenceList(key, 3).get(2)));
            assertThatThrownBy(() -> client.put(key, b("v"), null, new RequestOptions(3, 0, 3, 1_000)))
                    .isInstanceOfSatisfying(RemoteException.class, e -> {
                        assertThat(e.code()).isIn(ErrorCode.QUORUM_NOT_MET, ErrorCode.TIMEOUT);
                        assertThat(e.acks()).as("both live replicas stored it").isEqualTo(2);
                        assertThat(e.required()).isEqualTo(3);
                    });
            // The coordinator (the first replica) counts it, and says so over the wire.
            ChorusNode coordinator = cluster.node(indexOf(cluster, cluster.node(0).ring().preferenceList(key, 3)
                    .get(0)));
            assertThat(client.statsAsync(coordinator.address()).join())
                    .containsEntry("coordinator.quorum_failures", 1L)
                    .containsKeys("storage.pending_writes", "storage.map_growths");
        }
    }

    /**
     * A frozen node (its sockets stop reading, as a stopped process's): quorums that need it end in TIMEOUT at
     * their deadline, never QUORUM_NOT_MET by timer race, and the Java client soon routes its keys around it.
     */
    @Test
    void aFrozenReplicaTimesOutTheQuorumsThatNeedItAndClientsGoAroundIt(@TempDir Path dir) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).durability(Durability.NOSYNC)
                .start(); ChorusClient client = cluster.client()) {
            byte[] key = b("frozen-replica");
            List<NodeId> prefs = cluster.node(0).ring().preferenceList(key, 3);
            Coordinator coordinator = cluster.node(indexOf(cluster, prefs.get(0))).coordinator();
            coordinator.put(key, VersionVector.empty(), b("before"), QuorumOptions.of(3, 0, 3)).join();
            int frozen = indexOf(cluster, prefs.get(2));
            cluster.freeze(frozen);
            try {
                QuorumOptions all = new QuorumOptions(3, 3, 3, 200);
                for (int i = 0; i < 10; i++) {
                    assertTimeout(coordinator.put(key, VersionVector.empty(), b("w" + i), all));
                    assertTimeout(coordinator.get(key, all));
                }
                // Keys the frozen node would coordinate: the client stalls on it once, then goes around it.
                List<byte[]> itsKeys = new java.util.ArrayList<>();
                for (int i = 0; itsKeys.size() < 20; i++) {
                    byte[] k = b("owned-" + i);
                    if (cluster.node(0).ring().preferenceList(k, 3).get(0).equals(prefs.get(2))) {
                        itsKeys.add(k);
                    }
                }
                int failed = 0;
                long start = System.nanoTime();
                for (byte[] k : itsKeys) {
                    try {
                        client.put(k, k, null);
                        assertThat(client.get(k).values()).containsExactly(k);
                    } catch (ChorusException e) {
                        failed++;
                    }
                }
                assertThat(failed).as("requests that stalled on the frozen node").isLessThanOrEqualTo(1);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(15_000);
            } finally {
                cluster.thaw(frozen);
            }
            assertThat(coordinator.get(key, new QuorumOptions(3, 3, 0, 2_000)).join().liveSiblings()).isNotEmpty();
        }
    }

    private static void assertTimeout(java.util.concurrent.CompletableFuture<?> request) {
        Throwable failure = io.chorus.core.error.Failures.unwrap(request.handle((v, e) -> e).join());
        assertThat(failure).isInstanceOfSatisfying(QuorumException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(e.acks()).isEqualTo(2);
        });
    }

    @Test
    void acknowledgedWritesSurviveAGracefulWholeClusterRestart(@TempDir Path dir) {
        wholeClusterRestart(dir, true);
    }

    /** In-process crashes: writes not yet committed are failed rather than committed, connections reset. */
    @Test
    void acknowledgedWritesSurviveAWholeClusterCrash(@TempDir Path dir) {
        wholeClusterRestart(dir, false);
    }

    /** Writes are still in flight when the nodes go: each acknowledged one must be there after the restart. */
    private static void wholeClusterRestart(Path dir, boolean graceful) {
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).dataDir(dir).start()) {
            java.util.Set<Integer> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
            try (ChorusClient client = cluster.client()) {
                for (int i = 0; i < 400; i++) {
                    int n = i;
                    client.putAsync(b("durable-" + i), b("v" + i), null).thenRun(() -> acknowledged.add(n));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 50);
                for (int i = 0; i < 3; i++) {
                    if (graceful) {
                        cluster.stopGracefully(i);
                    } else {
                        cluster.crash(i);
                    }
                }
            }
            for (int i = 0; i < 3; i++) {
                cluster.restart(i);
            }
            try (ChorusClient client = cluster.client()) {
                for (int i : acknowledged) {
                    assertThat(client.get(b("durable-" + i)).value()).isEqualTo(b("v" + i));
                }
            }
        }
    }
}
