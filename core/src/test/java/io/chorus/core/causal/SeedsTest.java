package io.chorus.core.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag(Seeds.TAG)
class SeedsTest {

    /** The codec's decoder once threw this on bad input: it must not escape without its seed. */
    @Test
    void aBodyThatThrowsAnyExceptionIsReportedWithItsSeed() {
        List<Long> seen = new ArrayList<>();

        String stderr = stderrOf(() -> assertThatThrownBy(() -> Seeds.forEach(10, seed -> {
            seen.add(seed);
            if (seen.size() == Math.min(3, expectedRuns(10))) {
                int[] empty = new int[0];
                empty[(int) seed & 1] = 1;
            }
        })).isInstanceOfSatisfying(AssertionError.class, e -> {
            long failed = seen.get(seen.size() - 1);
            assertThat(e.getMessage()).contains("failed with seed " + Seeds.hex(failed),
                    "-Dtest=SeedsTest#aBodyThatThrowsAnyExceptionIsReportedWithItsSeed",
                    "-Dchorus.seed=" + Seeds.hex(failed), "ArrayIndexOutOfBoundsException");
            assertThat(e).hasCauseInstanceOf(ArrayIndexOutOfBoundsException.class);
        }));
        assertThat(seen).as("the seeds after the failing one are skipped")
                .hasSize(Math.min(3, expectedRuns(10))).doesNotHaveDuplicates();
        assertThat(stderr).as("the replay line goes to stderr too")
                .contains("-Dchorus.seed=" + Seeds.hex(seen.get(seen.size() - 1)));
    }

    @Test
    void aFailedAssertionIsReportedWithItsSeedToo() {
        long[] first = new long[1];
        stderrOf(() -> assertThatThrownBy(() -> Seeds.forEach(5, seed -> {
            first[0] = seed;
            assertThat(seed).as("deliberate").isNotEqualTo(seed);
        })).isInstanceOf(AssertionError.class)
                .hasMessageContaining("-Dchorus.seed=" + Seeds.hex(first[0]))
                .hasMessageContaining("deliberate")
                .cause().isInstanceOf(AssertionError.class));
    }

    @Test
    void theReportedSeedReplaysThatSeed() {
        for (long seed : new long[] {0, 42, -1, Long.MIN_VALUE, 0x9E3779B97F4A7C15L}) {
            assertThat(Seeds.parse(Seeds.SEED_PROPERTY, Seeds.hex(seed))).isEqualTo(seed);
        }
        assertThat(Seeds.parse(Seeds.SEED_PROPERTY, " -7 ")).isEqualTo(-7);
        assertThat(Seeds.parse(Seeds.SEED_PROPERTY, "-0x10")).isEqualTo(-16);
        assertThat(Seeds.parse(Seeds.SEED_PROPERTY, "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> Seeds.parse(Seeds.SEED_PROPERTY, "0x1ffffffffffffffff"))
                .hasMessageContaining("-Dchorus.seed must be a number or 'random'");
    }

    @Test
    void aClassWithoutTheSeededTagIsRefused() {
        assertThatThrownBy(() -> new UntaggedLoop().loops()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("UntaggedLoop loops over seeds but lacks @Tag(\"seeded\")");
    }

    /**
     * What {@code body} printed on stderr, kept out of the build's log: a replay line for a deliberate failure
     * would read like a real one.
     */
    private static String stderrOf(Runnable body) {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(stderr);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static int expectedRuns(int count) {
        String forced = System.getProperty(Seeds.SEED_PROPERTY);
        return forced == null || forced.isBlank() || forced.trim().equals("random") ? count : 1;
    }
}
