package io.chorus.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NodeIdTest {

    @Test
    void acceptsUpTo255Utf8BytesCountingMultiByteCharacters() {
        String euro = "\u20AC".repeat(85); // 3 bytes each: 255
        assertThat(NodeId.of(euro).name().getBytes(StandardCharsets.UTF_8)).hasSize(255);
        assertThatThrownBy(() -> NodeId.of(euro + "a")).hasMessageContaining("255");
        String emoji = "\uD83D\uDE00".repeat(63); // 4 bytes each: 252
        assertThat(NodeId.of(emoji + "abc").name()).endsWith("abc");
        assertThatThrownBy(() -> NodeId.of(emoji + "abcd")).hasMessageContaining("255");
    }

    @Test
    void rejectsEmptyWhitespaceControlAndBrokenUnicode() {
        assertThatThrownBy(() -> NodeId.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeId.of("a b")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> NodeId.of("a\u0000")).hasMessageContaining("control");
        assertThatThrownBy(() -> NodeId.of("a\uD83D")).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> NodeId.of("\uDE00a")).hasMessageContaining("surrogate");
        assertThat(NodeId.of("127.0.0.1:7000").compareTo(NodeId.of("127.0.0.2:7000"))).isNegative();
    }
}
