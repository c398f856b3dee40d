package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A request whose replicas all answered leaves no timer behind: at full rate, a deadline left to fire by every
 * request would keep a whole timeout's worth of timers alive and run each of them.
 */
@Tag(SimulationSeeds.TAG)
class RequestTimersTest {

    /** Far below the request timeout (2 s), far above a round trip of the simulated network. */
    private static final long SETTLE_MILLIS = 200;

    @Test
    void writesAndReadsAnsweredByEveryReplicaCancelTheirTimers() {
        SimulationSeeds.forEachSeed(20, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), 3, CoordinatorConfig.defaults());
            // The coordinators' own periodic work (hint replay) keeps a constant number of tasks queued.
            c.sim.advance(SETTLE_MILLIS);
            int idle = c.sim.scheduler().pendingTasks();

            byte[] key = bytes("timers");
            CompletableFuture<SiblingSet> put = c.coordinator(c.id(0)).put(key, VersionVector.empty(), bytes("v"),
                    QuorumOptions.of(3, 0, 2));
            SiblingSet written = c.await(put);
            assertThat(c.sim.runUntil(() -> c.sim.scheduler().pendingTasks() <= idle, SETTLE_MILLIS))
                    .as("the write's deadline is cancelled once its last replica acked (seed %d)", seed).isTrue();
            for (var replica : c.replicas(key, 3)) {
                assertThat(c.stored(replica, key)).as("on %s", replica).isEqualTo(written);
            }

            c.await(c.coordinator(c.id(1)).get(key, QuorumOptions.of(3, 2, 0)));
            assertThat(c.sim.runUntil(() -> c.sim.scheduler().pendingTasks() <= idle, SETTLE_MILLIS))
                    .as("the read's deadline and repair window are cancelled once every replica replied (seed %d)",
                            seed).isTrue();
        });
    }
}
