package io.chorus.core.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Counters stay in their documented ranges: no stamp overflows, and clients' contexts are bounded. */
class CounterBoundsTest {

    private static final ActorId A = ActorId.of("node-a", 1);

    @Test
    void aStampThatWouldOverflowIsRefusedNotWrapped() {
        VersionVector exhausted = VersionVector.of(Map.of(A, Long.MAX_VALUE));
        assertThatThrownBy(() -> SiblingSet.empty().update(exhausted, A, new byte[] {1}, 0))
                .isInstanceOfSatisfying(ChorusException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e).hasMessageContaining("exhausted");
                });
        VersionVector almost = VersionVector.of(Map.of(A, Long.MAX_VALUE - 1));
        assertThat(SiblingSet.empty().update(almost, A, new byte[] {1}, 0).siblings().get(0).dot().counter())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void clientContextsAreBoundedInCountersAndActors() {
        VersionVector none = VersionVector.empty();
        ContextLimits.checkCounters(VersionVector.of(Map.of(A, ContextLimits.MAX_COUNTER)), none);
        VersionVector over = VersionVector.of(Map.of(A, ContextLimits.MAX_COUNTER + 1));
        assertThatThrownBy(() -> ContextLimits.checkCounters(over, none))
                .isInstanceOfSatisfying(ChorusException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining("2^62");
        // A key whose clock is past the bound stays writable with the contexts its reads return.
        ContextLimits.checkCounters(over, over);
        java.util.HashMap<ActorId, Long> many = new java.util.HashMap<>();
        for (int i = 0; i < ContextLimits.MAX_ACTORS; i++) {
            many.put(ActorId.of("a" + i, 1), 1L);
        }
        ContextLimits.checkActors(VersionVector.of(many));
        many.put(ActorId.of("one-more", 1), 1L);
        assertThatThrownBy(() -> ContextLimits.checkActors(VersionVector.of(many))).hasMessageContaining("1025 actors");
    }
}
