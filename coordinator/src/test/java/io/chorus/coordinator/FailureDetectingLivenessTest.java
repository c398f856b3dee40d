package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import org.junit.jupiter.api.Test;

class FailureDetectingLivenessTest {

    @Test
    void downAfterConsecutiveFailuresUpOnAnySuccess() {
        FailureDetectingLiveness liveness = new FailureDetectingLiveness(2);
        NodeId n = NodeId.of("n");
        assertThat(liveness.isAlive(n)).isTrue();
        liveness.onFailure(n);
        liveness.onSuccess(n);
        liveness.onFailure(n);
        assertThat(liveness.isAlive(n)).as("failures must be consecutive").isTrue();
        liveness.onFailure(n);
        assertThat(liveness.isAlive(n)).isFalse();
        liveness.onSuccess(n);
        assertThat(liveness.isAlive(n)).isTrue();
    }
}
