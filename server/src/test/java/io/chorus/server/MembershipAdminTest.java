package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.coordinator.HandoffConfig;
import io.chorus.core.NodeId;
import io.chorus.gossip.GossipConfig;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import io.chorus.storage.Durability;
import io.chorus.transport.RemoteException;
import io.chorus.transport.protocol.MembersResponse;
import io.chorus.transport.protocol.PlanResponse;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ring changes by hand, through the admin opcodes a CLI sends (auto-commit off): joins planned and committed
 * concurrently through two nodes become one ring change; a leave; a stale plan refused; a live node not removable;
 * a dead one removed; a lone node joined to the cluster with JOIN.
 */
class MembershipAdminTest {

    private static final GossipConfig FAST = GossipConfig.DEFAULTS.withInterval(Duration.ofMillis(200));

    @TempDir
    Path dir;
    private final List<ChorusNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(ChorusNode::stop);
    }

    private ChorusNode start(String name, ChorusNode seed) {
        NodeId id = NodeId.of(name);
        NodeConfig config = NodeConfig.defaults(id, dir.resolve(name), List.of(Member.of(id)))
                .withDurability(Durability.NOSYNC).withPartitions(32).withClusterName("admin-test");
        List<HostPort> seeds = seed == null ? List.of() : List.of(HostPort.of(seed.peerAddress()));
        ChorusNode node = new ChorusNode(config, MembershipOptions.seeds(seeds, FAST, false, Duration.ZERO)
                .withHandoff(new HandoffConfig(200, 1_000, 2, 2_000)), new AddressBook(), null, null);
        node.start();
        nodes.add(node);
        return node;
    }

    private static RingState ring(ChorusClient c, ChorusNode n) throws Exception {
        return RingStateCodec.decode(c.ringAsync(n.address()).get(5, TimeUnit.SECONDS));
    }

    private static void awaitRing(ChorusClient c, List<ChorusNode> on, int members) {
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> {
            for (ChorusNode n : on) {
                RingState r = ring(c, n);
                if (!r.settled() || r.to().size() != members) {
                    return false;
                }
            }
            return true;
        });
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void ringChangesAreStagedPlannedAndCommittedThroughAnyNode() throws Exception {
        ChorusNode n1 = start("n1", null);
        await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> n1.membership().ring() != null);
        ChorusNode n2 = start("n2", n1);
        ChorusNode n3 = start("n3", n1);
        try (ChorusClient c = ChorusClient.connect(ClientConfig.builder(List.of(n1.address())).build())) {
            // Both joins show in a plan on every node; nothing changes until a commit.
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> c.planAsync(n2.address()).get().changes().size() == 2
                    && c.planAsync(n3.address()).get().changes().size() == 2);
            PlanResponse plan = c.planAsync(n2.address()).get();
            assertThat(plan.changes()).extracting(PlanResponse.Change::node).containsExactly(NodeId.of("n2"),
                    NodeId.of("n3"));
            assertThat(plan.ownershipMoves()).isBetween(20, 22); // 32 - 32/3
            assertThat(ring(c, n1).to().size()).isEqualTo(1);
            // Two commits at once, through different nodes: one ring change with both joins.
            CompletableFuture<Long> viaN2 = c.commitAsync(n2.address(), plan.token());
            CompletableFuture<Long> viaN3 = c.commitAsync(n3.address(), 0);
            assertThat(viaN2.get(30, TimeUnit.SECONDS)).isEqualTo(viaN3.get(30, TimeUnit.SECONDS));
            awaitRing(c, List.of(n1, n2, n3), 3);

            // A leave: staged on the leaver, committed through another node with the plan's token; it stops.
            AtomicBoolean n3Removed = new AtomicBoolean();
            n3.onRemoved(() -> n3Removed.set(true));
            c.leaveAsync(n3.address()).get(10, TimeUnit.SECONDS);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> !c.planAsync(n1.address()).get().changes().isEmpty());
            PlanResponse leave = c.planAsync(n1.address()).get();
            assertThat(leave.changes()).containsExactly(new PlanResponse.Change(PlanResponse.Kind.LEAVE,
                    NodeId.of("n3")));
            c.commitAsync(n1.address(), leave.token()).get(30, TimeUnit.SECONDS);
            awaitRing(c, List.of(n1, n2), 2);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(n3Removed::get);
            assertThat(ring(c, n1).removed()).contains(NodeId.of("n3"));

            // A stale token is refused; a live node cannot be removed, a dead one can.
            ChorusNode n4 = start("n4", n2);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> c.planAsync(n1.address()).get().changes().size() == 1);
            Throwable stale = failure(c.commitAsync(n1.address(), 12345));
            assertThat(stale).isInstanceOf(RemoteException.class).hasMessageContaining("plan changed");
            c.commitAsync(n1.address(), 0).get(30, TimeUnit.SECONDS);
            awaitRing(c, List.of(n1, n2, n4), 3);
            assertThat(failure(c.removeAsync(n1.address(), "n4"))).hasMessageContaining("alive");
            n4.crash();
            // Both survivors must have convicted it: the claimant refuses to commit the removal of a node it sees alive
            // (a full build's load once let n1 convict it seconds before n2, and the commit went to n2).
            await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> !n1.membership().view().isAlive(NodeId.of("n4"))
                    && !n2.membership().view().isAlive(NodeId.of("n4")));
            c.removeAsync(n1.address(), "n4").get(10, TimeUnit.SECONDS);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> c.planAsync(n2.address()).get().changes()
                    .contains(new PlanResponse.Change(PlanResponse.Kind.REMOVE, NodeId.of("n4"))));
            c.commitAsync(n2.address(), 0).get(30, TimeUnit.SECONDS);
            awaitRing(c, List.of(n1, n2), 2);
            assertThat(ring(c, n1).removed()).contains(NodeId.of("n4"));

            // A lone node that made a cluster of its own joins this one with JOIN.
            ChorusNode n5 = start("n5", null);
            await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> n5.membership().ring() != null);
            assertThatThrownBy(() -> c.joinAsync(n2.address(), HostPort.of(n1.peerAddress()).toString())
                    .get(10, TimeUnit.SECONDS)).hasMessageContaining("already a member");
            c.joinAsync(n5.address(), HostPort.of(n1.peerAddress()).toString()).get(10, TimeUnit.SECONDS);
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> c.planAsync(n1.address()).get().changes()
                    .contains(new PlanResponse.Change(PlanResponse.Kind.JOIN, NodeId.of("n5"))));
            c.commitAsync(n1.address(), 0).get(30, TimeUnit.SECONDS);
            awaitRing(c, List.of(n1, n2, n5), 3);
            MembersResponse members = c.membersAsync(n5.address()).get();
            assertThat(members.claimant()).contains(NodeId.of("n1"));
            assertThat(members.members()).filteredOn(m -> m.status() == MembersResponse.Status.UP)
                    .extracting(MembersResponse.Member::id)
                    .containsExactlyInAnyOrder(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n5"));
            assertThat(c.transfersAsync(n5.address()).get().moving()).isZero();
            assertThat(c.statsAsync(n5.address()).get()).containsKeys("gossip.rounds", "handoff.partitions_received",
                    "ring.partitions_moving");
        }
    }
}
