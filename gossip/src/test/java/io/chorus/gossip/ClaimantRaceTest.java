package io.chorus.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Claimants racing during network partitions, on gossip over the simulated network: each node runs the real
 * {@link Claimant} every round and the node's own rules (JOINING becomes UP in the ring; its part of a transfer is
 * finished at once, as for a node without data: moving data is handoff's, tested in coordinator).
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class ClaimantRaceTest {

    private final Map<NodeId, Gossiper> agents = new HashMap<>();
    private final Map<NodeId, Claimant> claimants = new HashMap<>();
    private final Map<NodeId, HeartbeatWatch> watches = new HashMap<>();
    private final List<NodeId> ids = new ArrayList<>();
    private Simulation sim;

    private void node(NodeId id, RingState ring, boolean member) {
        ids.add(id);
        NodeState self = NodeState.starting(id, 1, member ? NodeStatus.UP : NodeStatus.JOINING, "", id + ":1",
                id + ":2");
        List<NodeId> seeds = List.of(NodeId.of("n1"), NodeId.of("n3"));
        Gossiper g = new Gossiper(self, ring, seeds, "race", sim.network().transport(id), sim.scheduler(),
                sim.clock(), GossipConfig.DEFAULTS, new Random(sim.random().nextLong()));
        sim.network().transport(id).serve(g.handler());
        agents.put(id, g);
        claimants.put(id, new Claimant(id, new Claimant.Config(true, TimeUnit.SECONDS.toNanos(3), 3)));
        g.start();
        duties(id);
    }

    /** What the server's NodeMembership does each round, minus persistence and data. */
    private void duties(NodeId id) {
        Gossiper g = agents.get(id);
        MembershipView v = g.view();
        RingState ring = v.ring();
        if (ring != null) {
            NodeState mine = v.selfState();
            if (mine.status() == NodeStatus.JOINING && ring.to().contains(id)) {
                g.updateSelf(s -> s.withStatus(NodeStatus.UP));
            }
            if (!ring.settled()) {
                BitSet mineToMove = new BitSet();
                for (int p = 0; p < ring.partitionCount(); p++) {
                    if (ring.receivers(p).contains(id) || ring.leavers(p).contains(id)) {
                        mineToMove.set(p);
                    }
                }
                if (mine.handoffVersion() != ring.targetId() || !mine.received().equals(mineToMove)) {
                    g.updateSelf(s -> s.withReceived(ring.targetId(), mineToMove));
                }
            }
            long now = sim.clock().nanoTime();
            HeartbeatWatch w = watches.computeIfAbsent(id, x -> new HeartbeatWatch());
            w.observe(v, now);
            RingState next = claimants.get(id).step(ring, v.states(), v::isAlive,
                    n -> w.heardWithin(n, TimeUnit.SECONDS.toNanos(5), now), now);
            if (next != null) {
                g.offerRing(next);
            }
        }
        sim.scheduler().schedule(() -> duties(id), 1, TimeUnit.SECONDS);
    }

    private RingState startFive(Simulation s) {
        this.sim = s;
        List<Member> five = List.of(Member.of("n1"), Member.of("n2"), Member.of("n3"), Member.of("n4"),
                Member.of("n5"));
        RingState ring = RingState.initial(NodeId.of("n1"), 3, Claim.create(five, 64));
        for (Member m : five) {
            node(m.id(), ring, true);
        }
        return ring;
    }

    private boolean allHoldSettledRingOf(int members) {
        RingState first = agents.get(ids.get(0)).view().ring();
        return first != null && first.settled() && first.to().size() == members
                && ids.stream().allMatch(id -> first.equals(agents.get(id).view().ring()));
    }

    @Test
    void onlyTheMajoritySideCommitsAndTheOtherSidesJoinFollowsAfterTheHeal(Simulation s) {
        RingState base = startFive(s);
        sim.advance(10_000);
        NodeId j1 = NodeId.of("j1");
        NodeId j2 = NodeId.of("j2");
        sim.network().partition(Set.of(NodeId.of("n1"), NodeId.of("n2"), j1),
                Set.of(NodeId.of("n3"), NodeId.of("n4"), NodeId.of("n5"), j2));
        // The joins come once the partition is some seconds old: in its first seconds, before either side has
        // noticed the other's silence, both may still commit (the next test shows how that ends).
        sim.advance(6_000);
        node(j1, null, false);
        node(j2, null, false);
        sim.advance(60_000);
        // The minority's claimant (n1) sees 2 of 5 members: it commits nothing. The majority's (n3) commits j2.
        RingState minority = agents.get(NodeId.of("n1")).view().ring();
        RingState majority = agents.get(NodeId.of("n4")).view().ring();
        assertThat(minority).isEqualTo(base);
        assertThat(claimants.get(NodeId.of("n1")).lastProblem()).contains("majority");
        assertThat(majority.to().contains(j2)).isTrue();
        assertThat(majority.to().contains(j1)).isFalse();
        // n3 committed; j2, lower-named, is the claimant once it is a member.
        assertThat(majority.author()).isIn(NodeId.of("n3"), j2);

        sim.network().heal();
        assertThat(sim.runUntil(() -> allHoldSettledRingOf(7), 120_000)).as("one ring with both joins: %s",
                agents.get(NodeId.of("n1")).view().ring()).isTrue();
        RingState end = agents.get(NodeId.of("n1")).view().ring();
        assertThat(end.to().contains(j1) && end.to().contains(j2)).isTrue();
        assertThat(end.version()).isGreaterThan(majority.version());
    }

    @Test
    void twoClaimantsThatCommittedTheSameVersionConvergeOnTheLowerNamedOnesRing(Simulation s) {
        RingState base = startFive(s);
        sim.advance(10_000);
        // An unclean split where both sides believe they may commit: model it as the two commits themselves.
        sim.network().partition(Set.of(NodeId.of("n1"), NodeId.of("n2")),
                Set.of(NodeId.of("n3"), NodeId.of("n4"), NodeId.of("n5")));
        RingState byN1 = base.commit(NodeId.of("n1"), 3, Claim.leave(base.to(), NodeId.of("n5")), List.of());
        RingState byN3 = base.commit(NodeId.of("n3"), 3, Claim.leave(base.to(), NodeId.of("n4")), List.of());
        agents.get(NodeId.of("n1")).offerRing(byN1);
        agents.get(NodeId.of("n3")).offerRing(byN3);
        sim.advance(10_000);
        assertThat(agents.get(NodeId.of("n2")).view().ring().targetId()).isEqualTo(byN1.targetId());
        assertThat(agents.get(NodeId.of("n5")).view().ring().targetId()).isEqualTo(byN3.targetId());
        sim.network().heal();
        // Everyone drops n3's change for n1's, as the ring states' order says, before either moved on.
        assertThat(sim.runUntil(() -> ids.stream().allMatch(id -> {
            RingState r = agents.get(id).view().ring();
            return r.to().equals(byN1.to());
        }), 60_000)).isTrue();
        assertThat(sim.runUntil(() -> allHoldSettledRingOf(4), 120_000)).isTrue();
        assertThat(agents.get(NodeId.of("n1")).view().ring().to().contains(NodeId.of("n4"))).isTrue();
    }
}
