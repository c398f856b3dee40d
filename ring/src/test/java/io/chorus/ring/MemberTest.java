package io.chorus.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import org.junit.jupiter.api.Test;

class MemberTest {

    @Test
    void zoneIsOptionalButMustBeAPrintableName() {
        assertThat(Member.of("a").hasZone()).isFalse();
        assertThat(Member.of("a", "eu-west-1a").hasZone()).isTrue();
        assertThat(Member.of("a", "zürich").zone()).isEqualTo("zürich");
        assertThat(Member.of("a", "x".repeat(Member.MAX_ZONE_UTF8_LENGTH)).zone()).hasSize(255);

        assertThatThrownBy(() -> new Member(NodeId.of("a"), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Member(null, "z")).isInstanceOf(IllegalArgumentException.class);
        for (String bad : new String[] {"rack 1", "z\n", "\t", "z\u0000", "\uD800", "é".repeat(128)}) {
            assertThatThrownBy(() -> Member.of("a", bad)).as("zone '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zone of a");
        }
    }

    @Test
    void equalityCoversTheZone() {
        assertThat(Member.of("a", "z1")).isEqualTo(Member.of("a", "z1")).isNotEqualTo(Member.of("a", "z2"));
        assertThat(Member.of("a", "z1")).hasToString("a@z1");
        assertThat(Member.of("a")).hasToString("a");
    }
}
