package io.chorus.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.chorus.core.NodeId;
import io.chorus.testkit.SimulationSeeds;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag(SimulationSeeds.TAG)
class PreferenceListTest {

    @Test
    void walksMatchTheSlowReferenceForClaimedAndRandomRings() {
        SimulationSeeds.forEachSeed(100, seed -> {
            Random rnd = new Random(seed);
            int q = RingFixtures.powerOfTwo(rnd, 0, 9);
            int s = 1 + rnd.nextInt(rnd.nextBoolean() ? 12 : 40);
            int zones = rnd.nextInt(5);
            Ring ring = rnd.nextBoolean() && s <= q
                    ? RingFixtures.randomOwners(rnd, q, s, zones)
                    : Claim.create(RingFixtures.members(rnd, s, zones), q);
            for (int p = 0; p < q; p++) {
                List<NodeId> expected = RingFixtures.referenceWalk(ring, p);
                assertThat(ring.walk(p)).as("partition %d of %s, seed %d", p, ring, seed).isEqualTo(expected);
                int n = 1 + rnd.nextInt(s);
                assertThat(ring.preferenceList(p, n)).as("n=%d, partition %d, seed %d", n, p, seed)
                        .isEqualTo(expected.subList(0, n));
                assertThat(ring.fallbacks(p, n)).as("n=%d, partition %d, seed %d", n, p, seed)
                        .isEqualTo(expected.subList(n, s));
            }
        });
    }

    @Test
    void preferenceListsAreDistinctOwnerFirstAndSpanAsManyZonesAsTheyCan() {
        SimulationSeeds.forEachSeed(40, seed -> {
            Random rnd = new Random(seed);
            int q = RingFixtures.powerOfTwo(rnd, 4, 9);
            int s = 1 + rnd.nextInt(Math.min(q, 64));
            Ring ring = Claim.create(RingFixtures.members(rnd, s, 1 + rnd.nextInt(6)), q);
            int zones = RingFixtures.zoneCount(ring);
            for (int p = 0; p < q; p++) {
                List<NodeId> walk = ring.walk(p);
                assertThat(walk).as("seed %d", seed).hasSize(s).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(ring.members().stream().map(Member::id).toList());
                assertThat(walk.get(0)).as("owner first, seed %d", seed).isEqualTo(ring.owner(p));
                Set<String> spanned = new HashSet<>();
                for (int n = 1; n <= s; n++) {
                    spanned.add(ring.member(walk.get(n - 1)).orElseThrow().zone());
                    // Plain checks in the hot loop; AssertJ only to report a failure.
                    if (spanned.size() != Math.min(n, zones)) {
                        fail("a %d-prefix at partition %d spans zones %s of %d: %s, seed %d",
                                n, p, spanned, zones, walk, seed);
                    }
                    if (n <= 5 && !ring.preferenceList(p, n).equals(walk.subList(0, n))) {
                        fail("preference list %d at %d is not a prefix of the walk, seed %d", n, p, seed);
                    }
                }
            }
        });
    }

    @Test
    void withoutZonesTheWalkIsThePlainClockwiseDistinctWalk() {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        NodeId c = NodeId.of("c");
        NodeId d = NodeId.of("d");
        Ring ring = Ring.of(1, List.of(Member.of("a"), Member.of("b"), Member.of("c"), Member.of("d")),
                List.of(a, a, b, a, c, b, d, c));
        assertThat(ring.walk(0)).containsExactly(a, b, c, d);
        assertThat(ring.walk(3)).containsExactly(a, c, b, d);
        assertThat(ring.walk(6)).containsExactly(d, c, a, b);
        assertThat(ring.walk(7)).containsExactly(c, a, b, d);
        assertThat(ring.preferenceList(3, 2)).containsExactly(a, c);
        assertThat(ring.fallbacks(3, 2)).containsExactly(b, d);
        assertThat(ring.fallbacks(3, 4)).isEmpty();
    }

    @Test
    void zonesReorderTheWalkByRounds() {
        // Clockwise from 0: a(z1) b(z1) c(z2) d(z2) e(z3). Round one takes the first of each zone: a c e; then b d.
        List<Member> members = List.of(Member.of("a", "z1"), Member.of("b", "z1"), Member.of("c", "z2"),
                Member.of("d", "z2"), Member.of("e", "z3"));
        List<NodeId> ids = members.stream().map(Member::id).toList();
        Ring ring = Ring.of(1, members, List.of(ids.get(0), ids.get(1), ids.get(2), ids.get(3), ids.get(4),
                ids.get(0), ids.get(1), ids.get(2)));
        assertThat(ring.walk(0)).extracting(NodeId::name).containsExactly("a", "c", "e", "b", "d");
        assertThat(ring.preferenceList(1, 3)).extracting(NodeId::name).containsExactly("b", "c", "e");
    }

    @Test
    void membersOwningNothingStillServeAsFallbacks() {
        SimulationSeeds.forEachSeed(20, seed -> {
            Random rnd = new Random(seed);
            int q = RingFixtures.powerOfTwo(rnd, 0, 4);
            int s = q + 1 + rnd.nextInt(20);
            Ring ring = Claim.create(RingFixtures.members(rnd, s, rnd.nextInt(3)), q);
            Set<NodeId> firstFallbacks = new HashSet<>();
            for (int p = 0; p < q; p++) {
                assertThat(ring.walk(p)).as("seed %d", seed).hasSize(s).doesNotHaveDuplicates();
                assertThat(ring.preferenceList(p, s)).as("seed %d", seed).hasSize(s);
                firstFallbacks.add(ring.fallbacks(p, q).get(0));
            }
            // Rotating the idle members per partition spreads fallback duty instead of always naming the same one.
            assertThat(firstFallbacks).as("seed %d", seed).hasSize(Math.min(q, s - q));
        });
    }

    @Test
    void largeRingsComputeWalksBeyondTheCachedDepthOnDemand() {
        long seed = 0x1A26E;
        Random rnd = new Random(seed);
        int q = Partitioner.MAX_PARTITIONS;
        for (int zones : new int[] {0, 4}) {
            Ring ring = Claim.create(RingFixtures.members(rnd, 24, zones), q);
            for (int i = 0; i < 40; i++) {
                int p = rnd.nextInt(q);
                List<NodeId> expected = RingFixtures.referenceWalk(ring, p);
                assertThat(ring.walk(p)).as("partition %d, zones %d", p, zones).isEqualTo(expected);
                for (int n : new int[] {1, 3, Walks.MIN_DEPTH, Walks.MIN_DEPTH + 1, 24}) {
                    assertThat(ring.preferenceList(p, n)).as("n=%d, partition %d, zones %d", n, p, zones)
                            .isEqualTo(expected.subList(0, n));
                }
            }
        }
    }

    @Test
    void lookupByKeyIsLookupByItsPartition() {
        SimulationSeeds.forEachSeed(20, seed -> {
            Random rnd = new Random(seed);
            Ring ring = Claim.create(RingFixtures.members(rnd, 1 + rnd.nextInt(10), rnd.nextInt(3)), 64);
            byte[] key = new byte[rnd.nextInt(30)];
            rnd.nextBytes(key);
            int n = 1 + rnd.nextInt(ring.size());
            assertThat(ring.partitionOf(key)).isEqualTo(Partitioner.of(64).partitionOf(key));
            assertThat(ring.preferenceList(key, n)).as("seed %d", seed)
                    .isEqualTo(ring.preferenceList(ring.partitionOf(key), n));
        });
    }

    @Test
    void replicaCountMustBeBetweenOneAndTheMemberCount() {
        Ring ring = Claim.create(List.of(Member.of("a"), Member.of("b"), Member.of("c")), 8);
        for (int bad : new int[] {0, -1, 4, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> ring.preferenceList(0, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("n = " + bad).hasMessageContaining("[1, 3]");
            assertThatThrownBy(() -> ring.preferenceList(new byte[] {1}, bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n = " + bad);
            assertThatThrownBy(() -> ring.fallbacks(0, bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(ring.preferenceList(0, 3)).hasSize(3);
    }

    @Test
    void returnedListsCannotBeModified() {
        Ring ring = Claim.create(List.of(Member.of("a"), Member.of("b"), Member.of("c")), 8);
        assertThat(ring.preferenceList(0, 2)).isUnmodifiable();
        assertThat(ring.preferenceList(0, 3)).isUnmodifiable();
        assertThat(ring.walk(1)).isUnmodifiable();
        assertThat(ring.fallbacks(1, 1)).isUnmodifiable();
        assertThat(ring.preferenceList(0, 3)).isEqualTo(ring.walk(0));
    }
}
