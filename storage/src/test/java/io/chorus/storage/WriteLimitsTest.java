package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.B;
import static io.chorus.storage.TestData.C;
import static io.chorus.storage.TestData.blind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import org.junit.jupiter.api.Test;

/** The pure limit decisions: refuse what a write adds, never what it removes. */
class WriteLimitsTest {

    private static final byte[] KEY = StoreKeys.dataKey(9, TestData.bytes("key"));
    private final WriteLimits limits = new WriteLimits(10, 200, 1, 2);

    @Test
    void siblingCountOverTheMaximumIsRefusedOnlyWhenItGrows() {
        SiblingSet two = blind(A, "a").merge(blind(B, "b"));
        SiblingSet three = two.merge(blind(C, "c"));

        assertThatThrownBy(() -> check(two, three)).isInstanceOfSatisfying(LimitExceededException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_SIBLINGS);
            assertThat(e.actual()).isEqualTo(3);
            assertThat(e.limit()).isEqualTo(2);
            assertThat(e).hasMessageContaining("partition 9 key 0x6b6579");
        });
        // Already over (limits lowered): a write that does not add siblings still goes through.
        SiblingSet fourConcurrent = three.merge(blind(ActorId.of("node-d", 1), "d"));
        assertThat(check(fourConcurrent, three)).isFalse();
    }

    @Test
    void newValueOverTheMaximumIsRefusedButAnOldOneIsKept() {
        SiblingSet big = SiblingSet.empty().update(VersionVector.empty(), A, new byte[11], 1);
        assertThatThrownBy(() -> check(SiblingSet.empty(), big))
                .isInstanceOfSatisfying(LimitExceededException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        // A big value that is already stored does not block adding a small concurrent one (maxSiblings permitting).
        WriteLimits roomy = new WriteLimits(10, 1000, 5, 5);
        SiblingSet plusSmall = big.merge(blind(B, "ok"));
        assertThat(roomy.check(big, plusSmall, CausalCodec.encodedSize(plusSmall), KEY)).isFalse();
    }

    @Test
    void warnsOnlyWhenCrossingTheThreshold() {
        SiblingSet one = blind(A, "a");
        SiblingSet two = one.merge(blind(B, "b"));
        assertThat(check(SiblingSet.empty(), one)).isFalse();
        assertThat(check(one, two)).isTrue();
        assertThat(check(two, two)).isFalse();
    }

    private boolean check(SiblingSet before, SiblingSet after) {
        return limits.check(before, after, CausalCodec.encodedSize(after), KEY);
    }
}
