package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order a read asks replicas in: itself, the live others in list order, then the ones believed down. */
class ReadTargetsTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");

    @Test
    void selfFirstThenLiveOthersInPreferenceOrderThenTheDown() {
        ReadTargets targets = ReadTargets.of(List.of(A, B, C, D), C, node -> !node.equals(A));
        assertThat(targets.order()).containsExactly(C, B, D, A);
        assertThat(targets.take(2)).containsExactly(C, B);
        assertThat(targets.asked()).isEqualTo(2);
        assertThat(targets.take(1)).containsExactly(D);
        assertThat(targets.takeRest()).containsExactly(A);
        assertThat(targets.take(1)).isEmpty();
        assertThat(targets.remaining()).isZero();
    }

    @Test
    void aCoordinatorThatIsNoReplicaAsksTheListInOrderAndTakingTooManyTakesWhatIsLeft() {
        ReadTargets targets = ReadTargets.of(List.of(A, B, C), D, node -> true);
        assertThat(targets.order()).containsExactly(A, B, C);
        assertThat(targets.take(0)).isEmpty();
        assertThat(targets.take(5)).containsExactly(A, B, C);
        assertThat(Set.copyOf(targets.order())).hasSize(3);
    }
}
