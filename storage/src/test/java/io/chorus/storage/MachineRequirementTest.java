package io.chorus.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class MachineRequirementTest {

    @Test
    void aMetRequirementDoesNothing() {
        assertThatNoException()
                .isThrownBy(() -> MachineRequirement.require(true, "T", "why", Map.of("CHORUS_CI", "1")));
    }

    @Test
    void anUnmetRequirementSkipsAndSaysWhyOnStderr() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> MachineRequirement.require(false, "SomeTest", "no tmpfs", Map.of()))
                    .isInstanceOf(TestAbortedException.class);
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("SKIPPED SomeTest: no tmpfs");
    }

    @Test
    void underCiAnUnmetRequirementFails() {
        assertThatThrownBy(() -> MachineRequirement.require(false, "SomeTest", "no tmpfs", Map.of("CHORUS_CI", "1")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("SomeTest cannot run here: no tmpfs");
    }
}
