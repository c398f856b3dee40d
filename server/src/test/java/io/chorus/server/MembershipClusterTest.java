package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.coordinator.HandoffConfig;
import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.gossip.GossipConfig;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.storage.Durability;
import io.chorus.transport.protocol.MembersResponse;
import io.chorus.transport.protocol.PlanResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes (Netty on loopback, LMDB) that know only seeds: they form a cluster by gossip, a fourth joins while a
 * client writes, one crashes and comes back, and every acknowledged write ends up on each of its replicas. Gossip
 * runs every 200 ms here so that the test takes seconds; the code is the production code.
 */
class MembershipClusterTest {

    private static final int Q = 64;
    private static final GossipConfig FAST = GossipConfig.DEFAULTS.withInterval(Duration.ofMillis(200));

    @TempDir
    Path dir;
    private final List<ChorusNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(ChorusNode::stop);
    }

    private ChorusNode start(String name, List<ChorusNode> seeds, boolean autoCommit) {
        NodeId id = NodeId.of(name);
        NodeConfig config = NodeConfig.defaults(id, dir.resolve(name), List.of(Member.of(id)))
                .withDurability(Durability.NOSYNC).withPartitions(Q).withClusterName("membership-test");
        List<HostPort> seedAddresses = seeds.stream().map(n -> HostPort.of(n.peerAddress())).toList();
        MembershipOptions options = MembershipOptions.seeds(seedAddresses, FAST, autoCommit, Duration.ofMillis(500))
                .withHandoff(new HandoffConfig(200, 1_000, 2, 2_000));
        // Each node its own address book, as separate processes have: it learns the others by gossip.
        ChorusNode node = new ChorusNode(config, options, new AddressBook(), null, null);
        node.start();
        nodes.add(node);
        return node;
    }

    private static boolean settledWith(ChorusNode node, int members) {
        RingState r = node.membership() == null ? null : node.membership().ring();
        return r != null && r.settled() && r.to().size() == members;
    }

    private void awaitSettled(int members, Duration within) {
        try {
            await().atMost(within).until(() -> nodes.stream().filter(ChorusNode::isRunning)
                    .allMatch(n -> settledWith(n, members)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not settled with " + members + " members:" + describe(), e);
        }
    }

    private String describe() {
        StringBuilder out = new StringBuilder();
        for (ChorusNode n : nodes) {
            NodeMembership m = n.membership();
            out.append("\n").append(n.id()).append(": ").append(m == null ? "stopped" : m.ring() + "\n  view "
                    + m.view() + "\n  plan " + m.plan() + "\n  transfers " + n.handoff().transfers().size() + " "
                    + n.handoff().stats());
        }
        return out.toString();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nodesFormAClusterFromSeedsGrowUnderLoadAndLoseNoAcknowledgedWrite() throws Exception {
        ChorusNode n1 = start("n1", List.of(), true);
        await().atMost(Duration.ofSeconds(20)).until(() -> settledWith(n1, 1));
        start("n2", List.of(n1), true);
        start("n3", List.of(n1), true);
        awaitSettled(3, Duration.ofSeconds(60));

        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<InetSocketAddress> seeds = nodes.stream().map(ChorusNode::address).toList();
        try (ChorusClient client = ChorusClient.connect(ClientConfig.builder(seeds).requestTimeoutMillis(2_000)
                .build())) {
            Thread writer = new Thread(() -> {
                for (int i = 0; writing.get(); i++) {
                    String key = "k" + i;
                    try {
                        client.put(b(key), b("v" + i), null);
                        acked.put(key, "v" + i);
                    } catch (RuntimeException e) {
                        // not acknowledged: nothing to check
                    }
                }
            }, "membership-test-writer");
            writer.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 200);
                // A fourth node joins through another seed while the writes go on.
                start("n4", List.of(nodes.get(1)), true);
                awaitSettled(4, Duration.ofSeconds(90));
                int before = acked.size();
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= before + 100);

                // A crash: the others convict it by gossip, keep writing, and see it back after its restart.
                ChorusNode n3 = nodes.get(2);
                n3.crash();
                await().atMost(Duration.ofSeconds(60)).until(() -> !nodes.get(0).membership().view()
                        .isAlive(NodeId.of("n3")));
                int during = acked.size();
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= during + 100);
                n3.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> nodes.get(0).membership().view()
                        .isAlive(NodeId.of("n3")));
            } finally {
                writing.set(false);
                writer.join(30_000);
            }

            // Every node sees every other up again (gossip brings the restarted node's new generation around).
            await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(n -> n.membership().view()
                    .liveMembers().size() == 4));
            MembersResponse members = client.membersAsync(nodes.get(3).address()).get();
            assertThat(members.members()).extracting(MembersResponse.Member::id).contains(NodeId.of("n1"),
                    NodeId.of("n2"), NodeId.of("n3"), NodeId.of("n4"));
            assertThat(members.members()).allMatch(m -> m.status() == MembersResponse.Status.UP && m.alive());
            PlanResponse plan = client.planAsync(nodes.get(0).address()).get();
            assertThat(plan.changes()).as("nothing left staged").isEmpty();
        }
        // Hints delivered and replicas repaired: then every acknowledged write is on each of its replicas.
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream()
                .allMatch(n -> n.coordinator().stats().hintsStored() == n.coordinator().stats().hintsDelivered()
                        + n.coordinator().stats().hintsDropped()));
        for (ChorusNode n : nodes) {
            n.antiEntropy().repair(OptionalInt.empty()).get();
        }
        Ring ring = nodes.get(0).ring();
        assertThat(ring.size()).isEqualTo(4);
        int missing = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            byte[] key = b(e.getKey());
            int p = ring.partitionOf(key);
            for (NodeId replica : ring.preferenceList(p, 3)) {
                ChorusNode holder = nodes.stream().filter(n -> n.id().equals(replica)).findFirst().orElseThrow();
                SiblingSet s = holder.storage().get(p, key);
                boolean has = s.liveSiblings().stream()
                        .anyMatch(x -> Objects.equals(new String(x.value(), StandardCharsets.UTF_8), e.getValue()));
                if (!has) {
                    missing++;
                    if (examples.size() < 5) {
                        examples.add(e.getKey() + " on " + replica);
                    }
                }
            }
        }
        assertThat(missing).as("acknowledged writes missing from a replica (of %d), e.g. %s", acked.size(), examples)
                .isZero();
        assertThat(acked.size()).isGreaterThan(400);
    }
}
