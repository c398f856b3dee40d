package io.chorus.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final List<Member> ABC = List.of(Member.of("c"), Member.of("a", "z1"), Member.of("b"));

    @Test
    void aValidRingAnswersItsQueries() {
        Ring ring = Ring.of(7, ABC, List.of(A, B, C, A));
        assertThat(ring.version()).isEqualTo(7);
        assertThat(ring.partitionCount()).isEqualTo(4);
        assertThat(ring.members()).extracting(Member::id).containsExactly(A, B, C);
        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.owner(0)).isEqualTo(A);
        assertThat(ring.owner(3)).isEqualTo(A);
        assertThat(ring.load(A)).isEqualTo(2);
        assertThat(ring.load(C)).isEqualTo(1);
        assertThat(ring.load(NodeId.of("x"))).isZero();
        assertThat(ring.contains(B)).isTrue();
        assertThat(ring.contains(NodeId.of("x"))).isFalse();
        assertThat(ring.member(A)).contains(Member.of("a", "z1"));
        assertThat(ring.member(NodeId.of("x"))).isEmpty();
        assertThat(ring.partitioner()).isEqualTo(Partitioner.of(4));
        assertThat(ring.members()).isUnmodifiable();
    }

    @Test
    void equalityIsVersionMembersAndOwners() {
        Ring ring = Ring.of(7, ABC, List.of(A, B, C, A));
        assertThat(ring).isEqualTo(Ring.of(7, List.of(ABC.get(2), ABC.get(0), ABC.get(1)), List.of(A, B, C, A)))
                .hasSameHashCodeAs(Ring.of(7, ABC, List.of(A, B, C, A)));
        assertThat(ring).isNotEqualTo(Ring.of(8, ABC, List.of(A, B, C, A)));
        assertThat(ring).isNotEqualTo(Ring.of(7, ABC, List.of(A, C, B, A)));
        assertThat(ring).isNotEqualTo(Ring.of(7, List.of(Member.of("a"), Member.of("b"), Member.of("c")),
                List.of(A, B, C, A)));
    }

    @Test
    void partitionCountMustBeAPowerOfTwoInRange() {
        assertThatThrownBy(() -> Ring.of(1, ABC, List.of(A, B, C)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> Ring.of(1, ABC, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
        List<NodeId> tooMany = new ArrayList<>(Collections.nCopies(Partitioner.MAX_PARTITIONS * 2, A));
        tooMany.set(1, B);
        tooMany.set(2, C);
        assertThatThrownBy(() -> Ring.of(1, ABC, tooMany))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    }

    @Test
    void everyPartitionMustBeOwnedByAMember() {
        assertThatThrownBy(() -> Ring.of(1, ABC, Arrays.asList(A, B, null, C)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition 2 is unowned");
        assertThatThrownBy(() -> Ring.of(1, ABC, List.of(A, B, NodeId.of("d"), C)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("d, not a member");
    }

    @Test
    void memberIdsMustBeDistinct() {
        List<Member> dup = List.of(Member.of("a"), Member.of("b"), Member.of("a", "z2"));
        assertThatThrownBy(() -> Ring.of(1, dup, List.of(A, B, A, B)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate member id a");
    }

    @Test
    void membersMayOwnNothingOnlyWhenThereAreMoreMembersThanPartitions() {
        assertThatThrownBy(() -> Ring.of(1, ABC, List.of(A, B, A, B)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c owns no partition");
        Ring twoOfThree = Ring.of(1, ABC, List.of(A, B));
        assertThat(twoOfThree.load(C)).isZero();
        Ring single = Ring.of(1, ABC, List.of(C));
        assertThat(single.load(C)).isEqualTo(1);
        assertThat(single.load(A)).isZero();
    }

    @Test
    void emptyOrOversizedMembershipAndNegativeVersionsAreRejected() {
        assertThatThrownBy(() -> Ring.of(1, List.of(), List.of(A)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a member");
        assertThatThrownBy(() -> Ring.of(-1, ABC, List.of(A, B, C, A)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        List<Member> many = new ArrayList<>();
        for (int i = 0; i <= Ring.MAX_MEMBERS; i++) {
            many.add(Member.of("n" + i));
        }
        assertThatThrownBy(() -> Ring.of(1, many, Collections.nCopies(2048, many.get(0).id())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most " + Ring.MAX_MEMBERS);
    }

    @Test
    void partitionsOutOfRangeAreRejected() {
        Ring ring = Ring.of(1, ABC, List.of(A, B, C, A));
        for (int bad : new int[] {-1, 4, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> ring.owner(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("partition " + bad);
            assertThatThrownBy(() -> ring.preferenceList(bad, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("partition " + bad);
            assertThatThrownBy(() -> ring.walk(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
