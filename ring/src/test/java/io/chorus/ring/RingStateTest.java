package io.chorus.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chorus.core.NodeId;
import io.chorus.core.error.MalformedEncodingException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RingStateTest {

    private static final NodeId A = NodeId.of("a");

    private static List<Member> members(String... ids) {
        List<Member> out = new ArrayList<>();
        for (String id : ids) {
            out.add(Member.of(id));
        }
        return out;
    }

    private static RingState threeNodes() {
        return RingState.initial(A, 3, Claim.create(members("a", "b", "c"), 64));
    }

    @Test
    void aJoinMovesPartitionsToTheNewNodeOnlyAndSettlesWhenAllAreDone() {
        RingState s = threeNodes();
        assertTrue(s.settled());
        Ring next = Claim.join(s.to(), Member.of("d"));
        RingState moving = s.commit(A, 3, next, List.of());
        assertEquals(2, moving.version());
        assertFalse(moving.settled());
        BitSet m = moving.moving();
        assertTrue(m.cardinality() > 0);
        for (int p = 0; p < 64; p++) {
            if (m.get(p)) {
                assertEquals(List.of(NodeId.of("d")), moving.receivers(p), "partition " + p);
                assertEquals(1, moving.leavers(p).size());
                assertEquals(moving.from(), moving.readRing(p));
                assertEquals(2, moving.writeQuorums(p, 3).size());
            } else {
                assertTrue(moving.receivers(p).isEmpty());
                assertEquals(1, moving.writeQuorums(p, 3).size());
            }
        }
        // d replicates about 3 x 64/4 partitions: every one of them is a receive.
        assertEquals(3 * 16, m.cardinality(), 4);
        BitSet half = new BitSet();
        half.set(m.nextSetBit(0));
        RingState partly = moving.markDone(A, half);
        assertEquals(3, partly.version());
        assertTrue(partly.isDone(m.nextSetBit(0)));
        assertEquals(partly.to(), partly.readRing(m.nextSetBit(0)));
        RingState allDone = partly.markDone(A, m);
        assertFalse(allDone.settled(), "leavers still hand off late writes");
        assertTrue(allDone.moving().isEmpty());
        RingState done = allDone.settle(A);
        assertTrue(done.settled());
        assertEquals(next, done.to());
        assertEquals(5, done.version());
        assertTrue(done.removed().isEmpty());
    }

    @Test
    void aLeaverIsRemovedForGoodOnlyWhenTheMoveSettles() {
        RingState s = threeNodes().commit(A, 3, Claim.create(members("a", "b", "c", "d"), 64), List.of());
        s = s.markDone(A, s.moving()).settle(A);
        RingState leaving = s.commit(A, 3, Claim.leave(s.to(), NodeId.of("d")), List.of());
        assertFalse(leaving.settled());
        assertFalse(leaving.removed().contains(NodeId.of("d")), "a leaver still gossips while it hands off");
        RingState settled = leaving.markDone(A, leaving.moving()).settle(A);
        assertTrue(settled.removed().contains(NodeId.of("d")));
    }

    @Test
    void settlingWhileAPartitionMovesIsRefused() {
        RingState moving = threeNodes().commit(A, 3, Claim.join(threeNodes().to(), Member.of("d")), List.of());
        assertThrows(IllegalStateException.class, () -> moving.settle(A));
    }

    @Test
    void aCommitWhileMovingIsRefused() {
        RingState moving = threeNodes().commit(A, 3, Claim.join(threeNodes().to(), Member.of("d")), List.of());
        assertThrows(IllegalStateException.class,
                () -> moving.commit(A, 3, Claim.join(moving.to(), Member.of("e")), List.of()));
    }

    @Test
    void racingClaimantsAreOrderedTheSameWayEverywhere() {
        RingState base = threeNodes();
        RingState byB = base.commit(NodeId.of("b"), 3, Claim.join(base.to(), Member.of("x")), List.of());
        RingState byC = base.commit(NodeId.of("c"), 3, Claim.join(base.to(), Member.of("y")), List.of());
        assertEquals(byB.version(), byC.version());
        assertTrue(byB.supersedes(byC), "the lower-named author wins");
        assertFalse(byC.supersedes(byB));
        assertTrue(byB.supersedes(base));
        assertFalse(base.supersedes(byB));
        assertFalse(byB.supersedes(byB), "a state does not supersede itself");
        assertTrue(byB.targetId() != byC.targetId());
    }

    @Test
    void statesOfOneChangeCombineTheirDonePartitionsWhicheverClaimantMarkedThem() {
        RingState base = threeNodes();
        RingState moving = base.commit(A, 3, Claim.join(base.to(), Member.of("d")), List.of());
        BitSet all = moving.moving();
        int p1 = all.nextSetBit(0);
        int p2 = all.nextSetBit(p1 + 1);
        BitSet one = new BitSet();
        one.set(p1);
        BitSet two = new BitSet();
        two.set(p2);
        RingState byA = moving.markDone(A, one);
        RingState byB = moving.markDone(NodeId.of("b"), two);
        assertEquals(byA.version(), byB.version());
        RingState ab = RingState.reconcile(byA, byB);
        assertEquals(ab, RingState.reconcile(byB, byA), "commutative");
        assertTrue(ab.isDone(p1) && ab.isDone(p2), "a done partition never moves back");
        assertEquals(A, ab.author());
        assertEquals(ab, RingState.reconcile(ab, byA), "idempotent once combined");
        RingState settled = ab.markDone(A, all).settle(A);
        assertEquals(settled, RingState.reconcile(byB, settled));
        assertEquals(settled, RingState.reconcile(settled, byB), "a settled state ends its change");
        RingState other = base.commit(NodeId.of("b"), 3, Claim.join(base.to(), Member.of("e")), List.of());
        assertEquals(byA.supersedes(other) ? byA : other, RingState.reconcile(other, byA), "other changes: order");
    }

    @Test
    void codecRoundTripsSettledAndMovingStates() {
        RingState s = threeNodes();
        RingState moving = s.commit(A, 3, Claim.join(s.to(), Member.of("d", "z1")), List.of());
        BitSet some = new BitSet();
        some.set(moving.moving().nextSetBit(0));
        RingState partly = moving.markDone(A, some);
        RingState withRemoved = new RingState(9, NodeId.of("b"), 2, s.to(), s.to(), new BitSet(),
                new TreeSet<>(Set.of(NodeId.of("old1"), NodeId.of("old2"))));
        for (RingState x : List.of(s, moving, partly, withRemoved)) {
            byte[] bytes = RingStateCodec.encode(x);
            assertEquals(x, RingStateCodec.decode(bytes));
        }
    }

    @Test
    void codecRejectsTruncatedExtendedAndRandomBytes() {
        RingState s = threeNodes();
        byte[] bytes = RingStateCodec.encode(s.commit(A, 3, Claim.join(s.to(), Member.of("d")), List.of()));
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
            assertThrows(MalformedEncodingException.class, () -> RingStateCodec.decode(truncated), "cut " + cut);
        }
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(MalformedEncodingException.class, () -> RingStateCodec.decode(longer));
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Set<Class<?>> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = bytes.clone();
            mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            try {
                RingState decoded = RingStateCodec.decode(mutated);
                assertEquals(decoded, RingStateCodec.decode(RingStateCodec.encode(decoded)), "seed " + seed);
            } catch (MalformedEncodingException e) {
                seen.add(e.getClass());
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e, e);
            }
        }
        assertFalse(seen.isEmpty());
    }
}
