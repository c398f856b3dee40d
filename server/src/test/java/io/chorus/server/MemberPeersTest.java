package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.coordinator.PeerOpcodes;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.gossip.GossipConfig;
import io.chorus.gossip.Gossiper;
import io.chorus.gossip.MembershipView;
import io.chorus.gossip.NodeState;
import io.chorus.gossip.NodeStatus;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import io.chorus.testkit.Simulation;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The member check over real membership views, made by gossip agents on a simulated network: node-1 holds a ring
 * state moving from {node-0, node-1, node-2, node-4} to {node-1, node-2} with node-0 removed; node-3 (joining)
 * gossips to it; node-2 and node-4 never do. Apart, node-6 gossips to node-5, and neither has a ring yet. Whatever
 * is refused must not reach the wrapped handler.
 */
class MemberPeersTest {

    private static final String CLUSTER = "test";
    private static final NodeId N0 = NodeId.of("node-0");
    private static final NodeId N1 = NodeId.of("node-1");
    private static final NodeId N2 = NodeId.of("node-2");
    private static final NodeId N3 = NodeId.of("node-3");
    private static final NodeId N4 = NodeId.of("node-4");
    private static final NodeId N5 = NodeId.of("node-5");
    private static final NodeId N6 = NodeId.of("node-6");
    private static final NodeId N9 = NodeId.of("node-9");

    private final Simulation sim = new Simulation(14);
    private final List<NodeId> served = new ArrayList<>();
    /** The wrapped handler: records the sender and answers at once; REPLICA_PUT is its non-blocking opcode. */
    private final RequestHandler members = new RequestHandler() {
        @Override
        public CompletableFuture<Message> handle(NodeId from, Message request) {
            served.add(from);
            return CompletableFuture.completedFuture(Message.of(request.opcode(), new byte[0]));
        }

        @Override
        public boolean nonBlocking(int opcode) {
            return opcode == PeerOpcodes.REPLICA_PUT;
        }
    };
    private Gossiper first;
    private Gossiper joiner;
    /** node-5, of a cluster that has no ring yet; node-6 gossiped to it. */
    private Gossiper ringless;

    @BeforeEach
    void gossip() {
        // node-0 was removed by an operator, so it is still in the old ring while its partitions move.
        RingState moving = new RingState(2, N1, 2, Claim.create(List.of(Member.of(N0), Member.of(N1), Member.of(N2),
                Member.of(N4)), 16), Claim.create(List.of(Member.of(N1), Member.of(N2)), 16), new BitSet(),
                new TreeSet<>(List.of(N0)));
        first = agent(N1, NodeStatus.UP, moving, List.of());
        joiner = agent(N3, NodeStatus.JOINING, null, List.of(N1));
        ringless = agent(N5, NodeStatus.JOINING, null, List.of());
        Gossiper other = agent(N6, NodeStatus.JOINING, null, List.of(N5));
        for (Gossiper g : List.of(first, joiner, ringless, other)) {
            g.start();
        }
        assertThat(sim.runUntil(() -> first.view().knows(N3) && ringless.view().knows(N6), 30_000))
                .as("gossip went round").isTrue();
        assertThat(first.view().knows(N2)).as("node-2 never gossiped").isFalse();
        assertThat(first.view().knows(N4)).as("node-4 never gossiped").isFalse();
        assertThat(ringless.view().ring()).isNull();
    }

    private Gossiper agent(NodeId id, NodeStatus status, RingState ring, List<NodeId> seeds) {
        var transport = sim.network().transport(id);
        Gossiper g = new Gossiper(NodeState.starting(id, 1, status, "", id + ":9000", id + ":9001"), ring, seeds,
                CLUSTER, transport, sim.scheduler(), sim.clock(), GossipConfig.DEFAULTS, new Random(id.hashCode()));
        transport.serve(g.handler());
        return g;
    }

    private MemberPeers check(NodeId self, Supplier<MembershipView> view) {
        return new MemberPeers(members, self, CLUSTER, view, sim.clock());
    }

    private static Message put() {
        return Message.of(PeerOpcodes.REPLICA_PUT, new byte[] {1, 2, 3});
    }

    private static ChorusException failure(CompletableFuture<Message> reply) {
        assertThat(reply).isCompletedExceptionally();
        try {
            reply.join();
            throw new AssertionError("completed");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(ChorusException.class);
            return (ChorusException) e.getCause();
        }
    }

    @Test
    void itselfRingMembersLeaversAndJoinersHeardOfAreServed() {
        MemberPeers peers = check(N1, first::view);
        for (NodeId from : List.of(N1, N2, N4, N3)) {
            assertThat(peers.handle(from, put())).as("from %s", from).isCompleted().isNotCompletedExceptionally();
        }
        assertThat(served).containsExactly(N1, N2, N4, N3);
    }

    @Test
    void strangersAndRemovedNodesAreForbiddenAndNothingRuns() {
        MemberPeers peers = check(N1, first::view);
        ChorusException stranger = failure(peers.handle(N9, put()));
        assertThat(stranger.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(stranger.getMessage()).startsWith("node-9 is not a member of cluster test: ")
                .contains("does not name it");
        // Removed, though still in the old ring: removal wins.
        ChorusException removed = failure(peers.handle(N0, Message.of(PeerOpcodes.AE_PUSH, new byte[0])));
        assertThat(removed.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(removed.getMessage()).startsWith("node-0 is not a member of cluster test: it was removed");
        assertThat(served).isEmpty();
    }

    @Test
    void aNodeWithoutARingAdmitsOnlyWhomItHeard() {
        MemberPeers peers = check(N5, ringless::view);
        assertThat(peers.handle(N6, put())).isNotCompletedExceptionally();
        ChorusException unheard = failure(peers.handle(N1, put()));
        assertThat(unheard.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(unheard.getMessage()).contains("holds no ring state yet");
        assertThat(served).containsExactly(N6);
    }

    @Test
    void beforeMembershipRunsEveryoneIsToldToComeBack() {
        MemberPeers peers = check(N1, () -> null);
        assertThat(failure(peers.handle(N2, put())).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(served).isEmpty();
    }

    @Test
    void whereARequestRunsIsTheWrappedHandlersChoice() {
        MemberPeers peers = check(N1, first::view);
        assertThat(peers.nonBlocking(PeerOpcodes.REPLICA_PUT)).isTrue();
        assertThat(peers.nonBlocking(PeerOpcodes.REPLICA_GET)).isFalse();
        assertThat(peers.nonBlocking(PeerOpcodes.AE_ROOT)).isFalse();
    }
}
