package io.chorus.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ClaimantTest {

    private static final long SECOND = 1_000_000_000L;
    private final Map<NodeId, NodeState> states = new HashMap<>();
    private final Set<NodeId> dead = new HashSet<>();
    private final Predicate<NodeId> alive = n -> !dead.contains(n);

    private static NodeId id(String name) {
        return NodeId.of(name);
    }

    private void node(String name, NodeStatus status) {
        states.put(id(name), NodeState.starting(id(name), 1, status, "", name + ":1", name + ":2"));
    }

    private RingState ringOf(String... names) {
        List<Member> members = java.util.Arrays.stream(names).map(Member::of).toList();
        for (String n : names) {
            node(n, NodeStatus.UP);
        }
        return RingState.initial(id(names[0]), 3, Claim.create(members, 64));
    }

    private static Claimant claimant(String self, boolean auto) {
        return new Claimant(id(self), new Claimant.Config(auto, 5 * SECOND, 3));
    }

    @Test
    void theClaimantIsTheLowestNamedLiveMemberThatIsNotLeaving() {
        RingState ring = ringOf("a", "b", "c");
        assertEquals(id("a"), Claimant.claimantOf(ring, states, alive));
        dead.add(id("a"));
        assertEquals(id("b"), Claimant.claimantOf(ring, states, alive));
        states.put(id("b"), states.get(id("b")).withStatus(NodeStatus.LEAVING));
        assertEquals(id("c"), Claimant.claimantOf(ring, states, alive));
        node("0-joiner", NodeStatus.JOINING);
        assertEquals(id("c"), Claimant.claimantOf(ring, states, alive), "a joiner is no member yet");
    }

    @Test
    void aPlanListsJoinsLeavesAndRemovesAndMovesAboutQOverSPartitionsPerJoin() {
        RingState ring = ringOf("a", "b", "c");
        node("d", NodeStatus.JOINING);
        Plan plan = Claimant.plan(ring, states, alive);
        assertEquals(List.of(new Change(Change.Kind.JOIN, id("d"))), plan.changes());
        assertTrue(plan.committable());
        assertEquals(16, plan.ownershipMoves(), "Q/S = 64/4");
        assertEquals(Set.of(id("d")), plan.transfers().keySet());
        node("e", NodeStatus.JOINING);
        states.put(id("c"), states.get(id("c")).withStatus(NodeStatus.LEAVING));
        Plan two = Claimant.plan(ring, states, alive);
        assertEquals(3, two.changes().size());
        assertTrue(two.next().contains(id("d")) && two.next().contains(id("e")) && !two.next().contains(id("c")));
        assertTrue(two.token() != plan.token(), "another plan, another token");
        assertEquals(two.token(), Claimant.plan(ring, states, alive).token(), "the same view plans the same");
    }

    @Test
    void onlyADeadNodeCanBeRemoved() {
        RingState ring = ringOf("a", "b", "c", "d");
        states.put(id("a"), states.get(id("a")).withRemovals(new TreeSet<>(Set.of(id("d")))));
        Plan live = Claimant.plan(ring, states, alive);
        assertFalse(live.committable());
        assertTrue(live.problem().contains("alive"), live.problem());
        dead.add(id("d"));
        Plan removal = Claimant.plan(ring, states, alive);
        assertTrue(removal.committable(), String.valueOf(removal.problem()));
        assertFalse(removal.next().contains(id("d")));
        RingState committed = claimant("a", false).step(ring, states, alive, 0);
        assertNull(committed, "manual mode waits for a commit request");
        states.put(id("b"), states.get(id("b")).withCommitToken(removal.token()));
        committed = claimant("a", false).step(ring, states, alive, 0);
        assertNotNull(committed);
        assertTrue(committed.removed().contains(id("d")));
    }

    @Test
    void autoCommitWaitsForThePlanToSettleAndOnlyTheClaimantCommits() {
        RingState ring = ringOf("a", "b", "c");
        Claimant a = claimant("a", true);
        Claimant b = claimant("b", true);
        node("d", NodeStatus.JOINING);
        assertNull(a.step(ring, states, alive, 0));
        node("e", NodeStatus.JOINING); // the plan changes: the settle time starts again
        assertNull(a.step(ring, states, alive, 4 * SECOND));
        assertNull(a.step(ring, states, alive, 8 * SECOND));
        assertNull(b.step(ring, states, alive, 100 * SECOND), "b is not the claimant");
        RingState next = a.step(ring, states, alive, 9 * SECOND);
        assertNotNull(next);
        assertEquals(5, next.to().size());
        assertEquals(ring.version() + 1, next.version());
    }

    @Test
    void aMinorityCannotCommit() {
        RingState ring = ringOf("a", "b", "c", "d", "e");
        node("f", NodeStatus.JOINING);
        dead.addAll(Set.of(id("c"), id("d"), id("e")));
        Claimant a = claimant("a", true);
        assertNull(a.step(ring, states, alive, 0));
        assertNull(a.step(ring, states, alive, 60 * SECOND));
        assertTrue(a.lastProblem().contains("majority"), a.lastProblem());
        dead.remove(id("c"));
        assertNull(a.step(ring, states, alive, 61 * SECOND), "the plan settles from when it became committable");
        assertNotNull(a.step(ring, states, alive, 66 * SECOND));
    }

    @Test
    void transfersAreMarkedDoneOnlyWhenEveryReceiverReportsThem() {
        RingState ring = ringOf("a", "b", "c");
        node("d", NodeStatus.JOINING);
        node("e", NodeStatus.JOINING);
        RingState moving = ring.commit(id("a"), 3, Claimant.plan(ring, states, alive).next(), List.of());
        Claimant a = claimant("a", true);
        assertNull(a.step(moving, states, alive, 0), "nobody received anything yet");
        BitSet all = moving.moving();
        BitSet dHas = new BitSet();
        BitSet eHas = new BitSet();
        for (int p = all.nextSetBit(0); p >= 0; p = all.nextSetBit(p + 1)) {
            (moving.receivers(p).contains(id("d")) ? dHas : eHas).set(p);
            if (moving.receivers(p).contains(id("e"))) {
                eHas.set(p);
            }
        }
        states.put(id("d"), states.get(id("d")).withReceived(moving.targetId(), dHas));
        RingState partly = a.step(moving, states, alive, 0);
        assertNotNull(partly);
        for (int p = all.nextSetBit(0); p >= 0; p = all.nextSetBit(p + 1)) {
            assertEquals(!moving.receivers(p).contains(id("e")), partly.isDone(p), "partition " + p);
        }
        states.put(id("e"), states.get(id("e")).withReceived(partly.targetId() + 1, eHas));
        assertNull(a.step(partly, states, alive, 0), "a report for another transition does not count");
        states.put(id("e"), states.get(id("e")).withReceived(partly.targetId(), eHas));
        RingState allDone = a.step(partly, states, alive, 0);
        assertTrue(allDone.moving().isEmpty());
        assertFalse(allDone.settled());
        // Leavers: a, b and c each gave up some replicas; a and b report, c does not yet.
        Map<NodeId, BitSet> released = new HashMap<>();
        for (int p = 0; p < 64; p++) {
            for (NodeId l : allDone.leavers(p)) {
                released.computeIfAbsent(l, x -> new BitSet()).set(p);
            }
        }
        assertEquals(Set.of(id("a"), id("b"), id("c")), released.keySet());
        for (String l : List.of("a", "b")) {
            states.put(id(l), states.get(id(l)).withReceived(allDone.targetId(), released.get(id(l))));
        }
        assertNull(a.step(allDone, states, alive, 0), "c has not handed off yet");
        dead.add(id("c"));
        RingState settled = a.step(allDone, states, alive, 0);
        assertTrue(settled.settled(), "a dead leaver is not waited for");
        assertEquals(5, settled.to().size());
    }
}
