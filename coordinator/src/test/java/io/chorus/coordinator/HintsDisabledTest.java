package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.storage.MemoryStorageEngine;
import org.junit.jupiter.api.Test;

/** {@code maxHints} 0: hints disabled, every hint refused (OVERLOADED, counted); a negative cap is invalid. */
class HintsDisabledTest {

    private static final SiblingSet SET = SiblingSet.empty()
            .update(VersionVector.empty(), ActorId.of("a", 1), bytes("v"), 7);

    @Test
    void aCapOfZeroRefusesEveryHint() {
        MemoryStorageEngine storage = new MemoryStorageEngine(1);
        Counters counters = new Counters();
        HintStore store = HintStore.open(storage, 0, counters);
        Throwable refused = store.add(NodeId.of("o"), 1, bytes("k"), SET, 0).handle((v, t) -> t).join();
        assertThat(Failures.unwrap(refused)).isInstanceOfSatisfying(ChorusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        assertThat(storage.area(HintStore.AREA).count()).isZero();
        assertThat(counters.hintsDropped.sum()).isEqualTo(1);
    }

    @Test
    void theConfigTakesZeroAndRejectsANegativeCap() {
        assertThat(CoordinatorConfig.defaults().withHintLimits(0, 1_000).maxHints()).isZero();
        assertThatThrownBy(() -> CoordinatorConfig.defaults().withHintLimits(-1, 1_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxHints");
    }
}
