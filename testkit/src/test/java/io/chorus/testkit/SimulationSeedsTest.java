package io.chorus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

@Tag(SimulationSeeds.TAG)
class SimulationSeedsTest {

    @Test
    void aForcedSeedIsParsed() {
        assertThat(SimulationSeeds.chooseSeed("42", "any")).isEqualTo(42);
        assertThat(SimulationSeeds.chooseSeed(" -7 ", "any")).isEqualTo(-7);
        assertThat(SimulationSeeds.chooseSeed("0x10", "any")).isEqualTo(16);
        for (long seed : new long[] {0, -1, Long.MIN_VALUE, 0xed09dcc5dcf3917dL}) {
            assertThat(SimulationSeeds.chooseSeed(SimulationSeeds.hex(seed), "any")).as("every printed seed replays")
                    .isEqualTo(seed);
        }
        assertThatThrownBy(() -> SimulationSeeds.chooseSeed("forty-two", "any"))
                .hasMessageContaining("-Dchorus.seed must be a number or 'random'");
    }

    @Test
    void theDefaultSeedIsStablePerTestAndDiffersBetweenTests() {
        long seed = SimulationSeeds.chooseSeed(null, "[class:A]/[method:x()]");

        assertThat(SimulationSeeds.chooseSeed("", "[class:A]/[method:x()]")).isEqualTo(seed);
        assertThat(SimulationSeeds.chooseSeed(null, "[class:A]/[method:y()]")).isNotEqualTo(seed);
    }

    @Test
    void aSeedBaseMovesTheDefaultSeedsAndNothingElse() {
        String test = "[class:A]/[method:x()]";
        long moved = SimulationSeeds.chooseSeed(null, "0xfeedfacecafebeef", test);

        assertThat(moved).isNotEqualTo(SimulationSeeds.chooseSeed(null, test));
        assertThat(SimulationSeeds.chooseSeed("", " ", test)).isEqualTo(SimulationSeeds.chooseSeed(null, test));
        assertThat(SimulationSeeds.chooseSeed(null, "0xfeedfacecafebeef", test)).isEqualTo(moved);
        assertThat(SimulationSeeds.chooseSeed(null, "0xfeedfacecafebeef", "[class:A]/[method:y()]"))
                .isNotEqualTo(moved);
        assertThat(SimulationSeeds.chooseSeed("0x2a", "0xfeedfacecafebeef", test)).as("a forced seed wins")
                .isEqualTo(42);
    }

    @Test
    void aFailingSimulationTestReportsItsSeedAndHowToReplayIt() {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        String stderr = stderrOf(() -> launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FailingSimulation.class)).build(), listener));

        List<TestExecutionSummary.Failure> failures = listener.getSummary().getFailures();
        assertThat(failures).hasSize(1);
        Throwable failure = failures.get(0).getException();
        long seed = Long.parseLong(failure.getMessage().replace("seed ", ""));
        assertThat(failure.getSuppressed()).singleElement().satisfies(report -> assertThat(report.getMessage())
                .contains("FailingSimulation#fails", "-Dtest=FailingSimulation#fails",
                        "-Dchorus.seed=" + SimulationSeeds.hex(seed)));
        assertThat(stderr).contains("-Dchorus.seed=" + SimulationSeeds.hex(seed));
        if (System.getProperty(SimulationSeeds.SEED_PROPERTY) == null) {
            assertThat(seed).isEqualTo(SimulationSeeds.seedFor(failures.get(0).getTestIdentifier().getUniqueId()));
        }
    }

    @Test
    void forEachSeedNamesTheSeedThatFailed() {
        assumeTrue(System.getProperty(SimulationSeeds.SEED_PROPERTY) == null, "runs the default seeds");
        List<Long> seeds = new ArrayList<>();

        stderrOf(() -> assertThatThrownBy(() -> SimulationSeeds.forEachSeed(10, seed -> {
            seeds.add(seed);
            if (seeds.size() == 3) {
                throw new ArrayIndexOutOfBoundsException("broken");
            }
        })).satisfies(thrown -> assertThat(thrown.getSuppressed()).singleElement()
                .satisfies(report -> assertThat(report.getMessage()).contains(
                        "SimulationSeedsTest#forEachSeedNamesTheSeedThatFailed",
                        "-Dchorus.seed=" + SimulationSeeds.hex(seeds.get(2))))));
        assertThat(seeds).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    void aClassWithoutTheSeededTagCannotUseSeeds() {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(UntaggedSimulation.class)).build(), listener);

        assertThat(listener.getSummary().getFailures()).hasSize(2).allSatisfy(failure ->
                assertThat(failure.getException()).hasMessageContaining("UntaggedSimulation uses seeds but lacks"
                        + " @Tag(\"seeded\")"));
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

    /** Run only through the launcher above (Surefire skips nested classes). */
    @Tag(SimulationSeeds.TAG)
    @ExtendWith(SimulationSeeds.class)
    static class FailingSimulation {
        @Test
        void fails(Simulation sim) {
            fail("seed " + sim.seed());
        }
    }

    /** Run only through the launcher above; neither way of getting a seed works without the tag. */
    @ExtendWith(SimulationSeeds.class)
    static class UntaggedSimulation {
        @Test
        void takesASimulation(Simulation sim) {
        }

        @Test
        void loopsOverSeeds() {
            SimulationSeeds.forEachSeed(1, seed -> { });
        }
    }
}
