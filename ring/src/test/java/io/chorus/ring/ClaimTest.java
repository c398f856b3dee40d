package io.chorus.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag(SimulationSeeds.TAG)
class ClaimTest {

    @Test
    void createdRingsAreBalancedAndEveryMemberOwnsSomething() {
        SimulationSeeds.forEachSeed(40, seed -> {
            Random rnd = new Random(seed);
            int q = RingFixtures.powerOfTwo(rnd, 0, 12);
            int s = 1 + rnd.nextInt(64);
            Ring ring = Claim.create(RingFixtures.members(rnd, s, rnd.nextInt(4)), q);
            assertThat(ring.version()).isEqualTo(Claim.INITIAL_VERSION);
            assertThat(ring.size()).isEqualTo(s);
            assertThat(RingFixtures.spread(ring)).as("Q=%d S=%d seed %d", q, s, seed).isLessThanOrEqualTo(1);
            for (Member m : ring.members()) {
                assertThat(ring.load(m.id())).as("load of %s, Q=%d S=%d seed %d", m, q, s, seed)
                        .isBetween(s <= q ? 1 : 0, s <= q ? q / s + 1 : 1);
            }
        });
    }

    @Test
    void createdRingsSpaceOwnersWheneverThereAreTwiceAsManyMembersAsTheSpacing() {
        for (int q : new int[] {64, 256, 1024}) {
            for (int s = 1; s <= 64; s++) {
                for (int spacing = 1; spacing <= 4; spacing++) {
                    Ring ring = Claim.create(members(s), q, spacing);
                    int crowded = RingFixtures.crowdedWindows(ring, Math.min(spacing, s));
                    if (s >= 2 * spacing || q % s == 0) {
                        assertThat(crowded).as("Q=%d S=%d spacing %d", q, s, spacing).isZero();
                    }
                }
            }
        }
    }

    @Test
    void createdRingsInterleaveZones() {
        List<Member> members = List.of(Member.of("a", "z1"), Member.of("b", "z1"), Member.of("c", "z1"),
                Member.of("d", "z2"), Member.of("e", "z2"), Member.of("f", "z2"));
        Ring ring = Claim.create(members, 64);
        for (int p = 0; p < 64; p++) {
            assertThat(ring.member(ring.owner(p)).orElseThrow().zone())
                    .as("partition %d", p)
                    .isNotEqualTo(ring.member(ring.owner((p + 1) % 64)).orElseThrow().zone());
        }
    }

    @Test
    void randomJoinsAndLeavesStayBalancedAndMoveOnlyWhatMust() {
        int[][] shapes = {{64, 30}, {256, 25}, {1024, 8}, {4096, 3}};
        for (int[] shape : shapes) {
            int q = shape[0];
            SimulationSeeds.forEachSeed(shape[1], seed -> {
                Random rnd = new Random(seed);
                int zones = rnd.nextInt(4);
                Ring ring = Claim.create(RingFixtures.members(rnd, 1 + rnd.nextInt(8), zones), q);
                int crowded = RingFixtures.crowdedWindows(ring, Claim.DEFAULT_SPACING);
                for (int step = 0; step < 60; step++) {
                    boolean join = ring.size() == 1 || ring.size() < 64 && rnd.nextInt(3) != 0;
                    Ring next;
                    if (join) {
                        Member m = RingFixtures.freshMember(rnd, ring, zones);
                        next = Claim.join(ring, m);
                        checkJoin(ring, next, m.id(), seed);
                    } else {
                        NodeId leaver = ring.members().get(rnd.nextInt(ring.size())).id();
                        next = Claim.leave(ring, leaver);
                        checkLeave(ring, next, leaver, seed);
                    }
                    int nowCrowded = RingFixtures.crowdedWindows(next, Claim.DEFAULT_SPACING);
                    checkSpacing(join, crowded, nowCrowded, next, seed);
                    crowded = nowCrowded;
                    assertThat(next.version()).isEqualTo(ring.version() + 1);
                    assertThat(RingFixtures.spread(next)).as("Q=%d S=%d seed %d", q, next.size(), seed)
                            .isLessThanOrEqualTo(1);
                    ring = next;
                }
            });
        }
    }

    /**
     * Spacing is best effort, but where the ring leaves room it must nearly hold: a join into a well-spaced ring of
     * 6 or more members crowds at most 4 windows of 3 consecutive partitions, and a leave that still leaves 9 or
     * more members crowds at most 4 more. (Fewer members cannot always be spaced without moving more than
     * the minimum: from "abcde" repeated, e's partitions sit between d and a, b and c. The greedy and its swap
     * search are not exhaustive: with fresh seed bases about one run in ten met a join that left one or two crowded
     * windows, e.g. seed 0x8fc493beda6ba743 (S = 8, Q = 64) and 0xec48ca036b700e72 (S = 6, Q = 64).)
     */
    private static void checkSpacing(boolean join, int crowdedBefore, int crowdedAfter, Ring after, long seed) {
        if (join && crowdedBefore == 0 && after.size() >= 6) {
            assertThat(crowdedAfter).as("crowded windows after a join to S=%d Q=%d, seed %d", after.size(),
                    after.partitionCount(), seed).isLessThanOrEqualTo(4);
        }
        if (!join && after.size() >= 9) {
            assertThat(crowdedAfter - crowdedBefore).as("windows crowded by a leave to S=%d Q=%d, seed %d",
                    after.size(), after.partitionCount(), seed).isLessThanOrEqualTo(4);
        }
    }

    private static void checkJoin(Ring before, Ring after, NodeId joiner, long seed) {
        assertThat(after.contains(joiner)).isTrue();
        assertThat(after.size()).isEqualTo(before.size() + 1);
        int q = before.partitionCount();
        int moved = 0;
        for (int p = 0; p < q; p++) {
            if (!before.owner(p).equals(after.owner(p))) {
                moved++;
                assertThat(after.owner(p)).as("partition %d moved elsewhere on a join, seed %d", p, seed)
                        .isEqualTo(joiner);
            }
        }
        // Minimum: the joiner gets floor(Q/S'), or one more only when too few others can keep Q/S'+1.
        int s = after.size();
        int keepExtra = (int) before.members().stream().filter(m -> before.load(m.id()) > q / s).count();
        int expected = q / s + (q % s > keepExtra ? 1 : 0);
        assertThat(moved).as("partitions moved joining S=%d Q=%d, seed %d", s, q, seed).isEqualTo(expected)
                .isEqualTo(Claim.movedPartitions(before, after)).isEqualTo(after.load(joiner));
    }

    private static void checkLeave(Ring before, Ring after, NodeId leaver, long seed) {
        assertThat(after.contains(leaver)).isFalse();
        int moved = 0;
        for (int p = 0; p < before.partitionCount(); p++) {
            if (!before.owner(p).equals(after.owner(p))) {
                moved++;
                assertThat(before.owner(p)).as("partition %d moved on a leave but was not the leaver's, seed %d",
                        p, seed).isEqualTo(leaver);
            }
        }
        assertThat(moved).as("seed %d", seed).isEqualTo(before.load(leaver))
                .isEqualTo(Claim.movedPartitions(before, after));
    }

    @Test
    void rebalancingAnyRingMovesTheProvableMinimum() {
        SimulationSeeds.forEachSeed(150, seed -> {
            Random rnd = new Random(seed);
            int q = RingFixtures.powerOfTwo(rnd, 0, 10);
            int s = 1 + rnd.nextInt(Math.min(q, 40));
            Ring ring = RingFixtures.randomOwners(rnd, q, s, rnd.nextInt(3));
            List<Member> next = new ArrayList<>();
            for (Member m : ring.members()) {
                if (rnd.nextInt(4) != 0) {
                    next.add(rnd.nextInt(5) == 0 ? new Member(m.id(), "moved") : m);
                }
            }
            int added = rnd.nextInt(5);
            for (Member m : RingFixtures.members(rnd, added + (next.isEmpty() ? 1 : 0), 2)) {
                if (!ring.contains(m.id())) {
                    next.add(m);
                }
            }
            if (next.isEmpty()) {
                next.add(Member.of("fresh"));
            }
            Ring after = Claim.rebalance(ring, next);
            assertThat(after.members()).containsExactlyInAnyOrderElementsOf(next);
            assertThat(RingFixtures.spread(after)).as("seed %d", seed).isLessThanOrEqualTo(1);
            assertThat(Claim.movedPartitions(ring, after)).as("seed %d", seed)
                    .isEqualTo(minimumMoves(ring, next));
        });
    }

    /**
     * Closed form of the fewest moves: every partition of a departing member, each staying member's load above
     * Q/S'+1, and one more from each staying member above Q/S' beyond the Q mod S' that may keep Q/S'+1.
     */
    private static int minimumMoves(Ring ring, List<Member> next) {
        int q = ring.partitionCount();
        int s = next.size();
        int floor = q / s;
        int moves = 0;
        int aboveFloor = 0;
        Map<NodeId, Integer> loads = RingFixtures.loads(ring);
        for (Map.Entry<NodeId, Integer> e : loads.entrySet()) {
            boolean stays = next.stream().anyMatch(m -> m.id().equals(e.getKey()));
            if (!stays) {
                moves += e.getValue();
            } else {
                moves += Math.max(0, e.getValue() - (floor + 1));
                if (e.getValue() > floor) {
                    aboveFloor++;
                }
            }
        }
        return moves + Math.max(0, aboveFloor - q % s);
    }

    @Test
    void withMoreMembersThanPartitionsJoinsMoveNothingAndLeavesMoveOnlyTheLeaversPartition() {
        Ring ring = Claim.create(members(8), 8);
        Ring joined = Claim.join(ring, Member.of("late"));
        assertThat(Claim.movedPartitions(ring, joined)).isZero();
        assertThat(joined.load(NodeId.of("late"))).isZero();
        assertThat(joined.walk(0)).contains(NodeId.of("late"));

        Ring left = Claim.leave(joined, NodeId.of("n3"));
        assertThat(Claim.movedPartitions(joined, left)).isEqualTo(1);
        assertThat(RingFixtures.spread(left)).isZero();
        assertThat(left.load(NodeId.of("late"))).as("the idle member takes the orphan").isEqualTo(1);

        Ring idleLeft = Claim.leave(joined, NodeId.of("late"));
        assertThat(Claim.movedPartitions(joined, idleLeft)).isZero();
    }

    @Test
    void invalidChangesAreRejected() {
        Ring ring = Claim.create(members(3), 16);
        assertThatThrownBy(() -> Claim.join(ring, Member.of("n1", "z9")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n1 is already a member");
        assertThatThrownBy(() -> Claim.leave(ring, NodeId.of("nobody")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nobody is not a member");
        Ring single = Claim.create(members(1), 16);
        assertThatThrownBy(() -> Claim.leave(single, NodeId.of("n0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("last member");
        assertThatThrownBy(() -> Claim.create(List.of(), 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one member");
        assertThatThrownBy(() -> Claim.create(members(3), 48))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> Claim.create(List.of(Member.of("a"), Member.of("a", "z")), 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate member id a");
        assertThatThrownBy(() -> Claim.rebalance(ring, List.of(Member.of("a"), Member.of("a", "z"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate member id a");
        assertThatThrownBy(() -> Claim.join(ring, Member.of("x"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spacing");
        assertThatThrownBy(() -> Claim.movedPartitions(ring, Claim.create(members(3), 32)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Member> members(int s) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            members.add(Member.of("n" + i));
        }
        return members;
    }
}
