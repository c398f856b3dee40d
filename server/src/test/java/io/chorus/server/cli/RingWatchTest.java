package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code --wait} reads a join's or a leave's progress from ring states made by hand. */
class RingWatchTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final int Q = 8;

    /** Q partitions owned round-robin by {@code owners}. */
    private static Ring ring(long version, NodeId... owners) {
        List<Member> members = new ArrayList<>();
        for (NodeId o : owners) {
            members.add(Member.of(o));
        }
        List<NodeId> byPartition = new ArrayList<>();
        for (int p = 0; p < Q; p++) {
            byPartition.add(owners[p % owners.length]);
        }
        return Ring.of(version, members, byPartition);
    }

    private static BitSet bits(int... partitions) {
        BitSet b = new BitSet();
        for (int p : partitions) {
            b.set(p);
        }
        return b;
    }

    @Test
    void aLeaveIsStagedThenMovesItsPartitionsThenIsOver() {
        RingWatch watch = new RingWatch(C, true);
        RingState before = RingState.initial(A, 2, ring(1, A, B, C));
        assertThat(watch.observe(before).phase()).isEqualTo(RingWatch.Phase.STAGED);

        RingState committed = before.commit(A, 2, ring(2, A, B), List.of());
        RingWatch.Step moving = watch.observe(committed);
        assertThat(moving.phase()).isEqualTo(RingWatch.Phase.MOVING);
        int total = moving.total();
        assertThat(total).isPositive().isLessThanOrEqualTo(Q);
        assertThat(moving.done()).isZero();

        // Marking partitions done counts them, and leaves the total as it was.
        List<Integer> changing = new ArrayList<>();
        for (int p = 0; p < Q; p++) {
            if (!committed.receivers(p).isEmpty()) {
                changing.add(p);
            }
        }
        RingState some = committed.markDone(A, bits(changing.get(0)));
        assertThat(watch.observe(some)).isEqualTo(new RingWatch.Step(RingWatch.Phase.MOVING, 1, total));
        BitSet all = new BitSet();
        changing.forEach(all::set);
        RingState allDone = some.markDone(A, all);
        // Every partition moved, not yet settled: still moving (the leaver drops what it gave up first).
        assertThat(watch.observe(allDone)).isEqualTo(new RingWatch.Step(RingWatch.Phase.MOVING, total, total));
        assertThat(watch.observe(allDone.settle(A)).phase()).isEqualTo(RingWatch.Phase.OVER);
    }

    @Test
    void aJoinIsCommittedOnceTheTargetRingHasTheNode() {
        RingWatch watch = new RingWatch(C, false);
        RingState before = RingState.initial(A, 2, ring(1, A, B));
        assertThat(watch.observe(before).phase()).isEqualTo(RingWatch.Phase.STAGED);
        RingState committed = before.commit(A, 2, ring(2, A, B, C), List.of());
        assertThat(watch.observe(committed).phase()).isEqualTo(RingWatch.Phase.MOVING);
        // The other node's leave watch over the same states: C joining is no leave of B.
        assertThat(new RingWatch(B, true).observe(committed).phase()).isEqualTo(RingWatch.Phase.STAGED);
        BitSet all = new BitSet();
        all.set(0, Q);
        assertThat(watch.observe(committed.markDone(A, all).settle(A)).phase()).isEqualTo(RingWatch.Phase.OVER);
    }
}
