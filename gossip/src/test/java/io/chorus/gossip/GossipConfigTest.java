package io.chorus.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GossipConfigTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        GossipConfig d = GossipConfig.DEFAULTS;
        assertThat(d.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.detector()).isEqualTo(FailureDetectorConfig.DEFAULTS);
        assertThat(d.detector().tickInterval()).isEqualTo(d.interval());
        assertThat(d.messageTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.maxStatesPerMessage()).isEqualTo(256);
    }

    @Test
    void nonsenseIsRejectedNamingTheField() {
        GossipConfig d = GossipConfig.DEFAULTS;
        assertThatThrownBy(() -> new GossipConfig(Duration.ZERO, d.detector(), d.messageTimeout(), 1))
                .hasMessageContaining("interval");
        assertThatThrownBy(() -> d.withDetector(d.detector().withTicks(Duration.ofSeconds(2), Duration.ofSeconds(3))))
                .hasMessageContaining("tickInterval");
        assertThatThrownBy(() -> d.withMessageTimeout(Duration.ofNanos(10))).hasMessageContaining("messageTimeout");
        assertThatThrownBy(() -> d.withMessageTimeout(Duration.ofHours(2))).hasMessageContaining("messageTimeout");
        assertThatThrownBy(() -> d.withMaxStatesPerMessage(0)).hasMessageContaining("maxStatesPerMessage");
        assertThatThrownBy(() -> d.withMaxStatesPerMessage(GossipLimits.MAX_STATES_PER_MESSAGE + 1))
                .hasMessageContaining("maxStatesPerMessage");
        assertThatThrownBy(() -> d.withDetector(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aNewIntervalMovesTheDetectorsTicksWithIt() {
        GossipConfig c = GossipConfig.DEFAULTS.withInterval(Duration.ofMillis(200));
        assertThat(c.detector().tickInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.detector().pauseThreshold()).isEqualTo(Duration.ofMillis(400));
        assertThat(c.detector().acceptablePause()).isEqualTo(FailureDetectorConfig.DEFAULTS.acceptablePause());
    }
}
