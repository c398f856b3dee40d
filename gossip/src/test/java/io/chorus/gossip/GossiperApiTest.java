package io.chorus.gossip;

import static io.chorus.gossip.GossipMembershipTest.errorOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.Transport;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The agent's entry points on one node: its own updates, offered ring states, listeners, the handler's refusals. */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class GossiperApiTest {

    private static final NodeId ME = NodeId.of("me");

    private static Gossiper alone(Simulation sim, RingState ring) {
        Transport t = sim.network().transport(ME);
        Gossiper g = new Gossiper(GossipSamples.starting(ME), ring, List.of(ME), "c", t, sim.scheduler(),
                sim.clock(), GossipConfig.DEFAULTS, new Random(7));
        t.serve(g.handler());
        return g;
    }

    @Test
    void updatesOfItsOwnStateAreCheckedPublishedAndHeard(Simulation sim) {
        Gossiper g = alone(sim, null);
        List<MembershipView> heard = new ArrayList<>();
        g.addListener(heard::add);
        CompletableFuture<NodeState> leaving = g.updateSelf(s -> s.withStatus(NodeStatus.LEAVING));
        sim.runUntilIdle();
        assertThat(leaving.join().status()).isEqualTo(NodeStatus.LEAVING);
        assertThat(g.view().status(ME)).isEqualTo(NodeStatus.LEAVING);
        assertThat(heard).hasSize(1);

        CompletableFuture<NodeState> same = g.updateSelf(s -> s);
        CompletableFuture<NodeState> otherGeneration = g.updateSelf(s -> NodeState.starting(ME, 9, NodeStatus.UP,
                "", "", ""));
        CompletableFuture<NodeState> otherNode = g.updateSelf(s -> GossipSamples.starting(NodeId.of("x")).next());
        sim.runUntilIdle();
        for (CompletableFuture<NodeState> f : List.of(same, otherGeneration, otherNode)) {
            assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
        assertThat(g.view().selfState()).isEqualTo(leaving.join());
        assertThat(heard).as("no listener call for refused updates").hasSize(1);
    }

    @Test
    void anOfferedRingStateIsAdoptedOnlyIfItSupersedesAndSetsTheOwnRingVersion(Simulation sim) {
        RingState v1 = RingState.initial(ME, 1, Claim.create(List.of(Member.of(ME)), 8));
        Gossiper g = alone(sim, v1);
        assertThat(g.view().selfState().ringVersion()).as("caught up at construction").isEqualTo(1);
        List<MembershipView> heard = new ArrayList<>();
        g.addListener(heard::add);
        RingState v2 = v1.commit(ME, 1, Claim.join(v1.to(), Member.of("other")), List.of());
        CompletableFuture<Boolean> adopted = g.offerRing(v2);
        CompletableFuture<Boolean> old = g.offerRing(v1);
        sim.runUntilIdle();
        assertThat(adopted).isCompletedWithValue(true);
        assertThat(old).isCompletedWithValue(false);
        assertThat(g.view().ring()).isEqualTo(v2);
        assertThat(g.view().selfState().ringVersion()).isEqualTo(2);
        assertThat(heard).hasSize(1);
        assertThat(g.stats().ringStatesAdopted()).isEqualTo(1);
    }

    @Test
    void theHandlerRefusesOtherOpcodesGarbageItselfAndEverythingAfterClose(Simulation sim) {
        Gossiper g = alone(sim, null);
        CompletableFuture<Message> unknown = g.handler().handle(NodeId.of("x"), Message.of(0x3001, new byte[0]));
        CompletableFuture<Message> garbage = g.handler().handle(NodeId.of("x"),
                Message.of(GossipOpcodes.GOSSIP_SYN, new byte[] {9, 9}));
        CompletableFuture<Message> fromItself = g.handler().handle(ME, new GossipSyn("c", null, List.of()).encode());
        CompletableFuture<Message> fine = g.handler().handle(NodeId.of("x"),
                new GossipSyn("c", null, List.of()).encode());
        sim.runUntilIdle();
        assertThat(errorOf(unknown)).isEqualTo(ErrorCode.UNKNOWN_OPCODE);
        assertThat(g.handler().nonBlocking(GossipOpcodes.GOSSIP_SYN)).isTrue();
        assertThat(g.handler().nonBlocking(GossipOpcodes.GOSSIP_ACK2)).isTrue();
        assertThat(g.handler().nonBlocking(0x3001)).isFalse();
        assertThat(errorOf(garbage)).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(errorOf(fromItself)).isEqualTo(ErrorCode.BAD_REQUEST);
        GossipAck ack = GossipAck.decode(fine.join().body());
        assertThat(ack.states()).extracting(s -> s.state().id()).containsExactly(ME);
        assertThat(g.stats().malformed()).isEqualTo(1);
        assertThat(g.stats().refusedSyns()).isEqualTo(1);

        g.close();
        CompletableFuture<Message> late = g.handler().handle(NodeId.of("x"),
                new GossipSyn("c", null, List.of()).encode());
        sim.runUntilIdle();
        assertThat(errorOf(late)).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void roundsRunEveryIntervalUntilClosedAndBumpTheHeartbeat(Simulation sim) {
        Gossiper g = alone(sim, null);
        g.start();
        g.start();
        sim.advance(10_000);
        assertThat(g.stats().rounds()).as("one round a second, started once").isEqualTo(10);
        assertThat(g.view().selfState().version()).isEqualTo(11);
        g.close();
        sim.advance(10_000);
        assertThat(g.stats().rounds()).isEqualTo(10);
        assertThat(sim.scheduler().pendingTasks()).as("no timer left").isZero();
    }

    @Test
    void theTransportMustSpeakForTheNode(Simulation sim) {
        Transport other = sim.network().transport(NodeId.of("other"));
        assertThatThrownBy(() -> new Gossiper(GossipSamples.starting(ME), null, List.of(), "c", other,
                sim.scheduler(), sim.clock(), GossipConfig.DEFAULTS, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("speaks for other");
    }
}
