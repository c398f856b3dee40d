package io.chorus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

class SimulationSeedsTest {

    @Test
    void aForcedSeedIsParsed() {
        assertThat(SimulationSeeds.chooseSeed("42", "any")).isEqualTo(42);
        assertThat(SimulationSeeds.chooseSeed(" -7 ", "any")).isEqualTo(-7);
        assertThat(SimulationSeeds.chooseSeed("0x10", "any")).isEqualTo(16);
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
    void aFailingSimulationTestReportsItsSeedAndHowToReplayIt() {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FailingSimulation.class)).build(), listener);

        List<TestExecutionSummary.Failure> failures = listener.getSummary().getFailures();
        assertThat(failures).hasSize(1);
        Throwable failure = failures.get(0).getException();
        long seed = Long.parseLong(failure.getMessage().replace("seed ", ""));
        assertThat(failure.getSuppressed()).singleElement().satisfies(report -> assertThat(report.getMessage())
                .contains("FailingSimulation#fails", "-Dtest=FailingSimulation#fails", "-Dchorus.seed=" + seed));
        if (System.getProperty(SimulationSeeds.SEED_PROPERTY) == null) {
            assertThat(seed).isEqualTo(SimulationSeeds.chooseSeed(null,
                    failures.get(0).getTestIdentifier().getUniqueId()));
        }
    }

    @Test
    void forEachSeedNamesTheSeedThatFailed() {
        assumeTrue(System.getProperty(SimulationSeeds.SEED_PROPERTY) == null, "runs the default seeds");
        List<Long> seeds = new ArrayList<>();

        assertThatThrownBy(() -> SimulationSeeds.forEachSeed(10, seed -> {
            seeds.add(seed);
            if (seeds.size() == 3) {
                throw new AssertionError("broken");
            }
        })).satisfies(thrown -> assertThat(thrown.getSuppressed()).singleElement()
                .satisfies(report -> assertThat(report.getMessage()).contains("-Dchorus.seed=" + seeds.get(2))));
        assertThat(seeds).hasSize(3).doesNotHaveDuplicates();
    }

    /** Run only through the launcher above (Surefire skips nested classes). */
    @ExtendWith(SimulationSeeds.class)
    static class FailingSimulation {
        @Test
        void fails(Simulation sim) {
            fail("seed " + sim.seed());
        }
    }
}
