package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import io.chorus.testkit.Slowdown;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A read whose asked replica is slow: with speculative retry it asks one more after the delay and answers through
 * it, long before the slow one replies; with speculation off it waits for the slow one. The slow replica's 300 ms
 * are far beyond the p99 of the simulated network's 2..20 ms round trips and below the replica timeout (1 s here),
 * so only speculation can make the difference.
 */
@Tag(SimulationSeeds.TAG)
class SpeculativeReadTest {

    private static final long SLOW_MILLIS = 300;
    private static final CoordinatorConfig BASE = CoordinatorConfig.defaults().withTimeouts(2_000, 1_000)
            .withReadRepairChance(0);

    @Test
    void aSlowReplicaIsOvertakenByTheSpeculativeOneAtP99() {
        SimulationSeeds.forEachSeed(10, seed -> {
            Run run = readWithSlowReplica(seed, BASE.withSpeculativeRetry(SpeculativeRetry.P99));
            assertThat(run.tookMillis).as("answered through the speculative replica (seed %d)", seed)
                    .isLessThan(SLOW_MILLIS / 3);
            assertThat(run.speculativeReads).as("seed %d", seed).isEqualTo(1);
            assertThat(run.delayMillis).as("the p99 of 2..20 ms round trips (seed %d)", seed).isBetween(2L, 30L);
        });
    }

    /**
     * The slow replica's replies keep coming after each answer: were they taken into the p99, the delay would grow
     * to the slow replica's 300 ms within a few reads and speculation would stop overtaking it.
     */
    @Test
    void aReplicaThatStaysSlowIsOvertakenByEveryRead() {
        SimulationSeeds.forEachSeed(5, seed -> {
            int reads = 60;
            Run run = readsWithSlowReplica(seed, BASE.withSpeculativeRetry(SpeculativeRetry.P99), reads);
            assertThat(run.tookMillis).as("the slowest of %d reads after the slowdown (seed %d)", reads, seed)
                    .isLessThan(SLOW_MILLIS / 3);
            assertThat(run.speculativeReads).as("seed %d", seed).isEqualTo(reads);
            assertThat(run.delayAfterMillis).as("seed %d", seed).isLessThan(SLOW_MILLIS / 3);
        });
    }

    @Test
    void aFixedDelaySpeculatesToo() {
        SimulationSeeds.forEachSeed(5, seed -> {
            Run run = readWithSlowReplica(seed, BASE.withSpeculativeRetry(SpeculativeRetry.fixed(25)));
            assertThat(run.tookMillis).as("seed %d", seed).isBetween(25L, 25L + 20);
            assertThat(run.speculativeReads).isEqualTo(1);
        });
    }

    @Test
    void withSpeculationOffTheReadWaitsForTheSlowReplica() {
        SimulationSeeds.forEachSeed(10, seed -> {
            Run run = readWithSlowReplica(seed, BASE.withSpeculativeRetry(SpeculativeRetry.OFF));
            assertThat(run.tookMillis).as("seed %d", seed).isGreaterThanOrEqualTo(SLOW_MILLIS);
            assertThat(run.speculativeReads).isZero();
        });
    }

    /** The slowest read after the slowdown, speculative reads among them, the delay before and after them. */
    private record Run(long tookMillis, long speculativeReads, long delayMillis, long delayAfterMillis) {
    }

    private static Run readWithSlowReplica(long seed, CoordinatorConfig config) {
        return readsWithSlowReplica(seed, config, 1);
    }

    /**
     * Warms the coordinator's latency record with 40 reads, slows the one other replica it asks (its inbound
     * messages, so it hears the request late), and times {@code reads} more reads, one after another.
     */
    private static Run readsWithSlowReplica(long seed, CoordinatorConfig config, int reads) {
        SimCluster c = new SimCluster(new Simulation(seed), 3, config);
        byte[] key = bytes("speculate");
        List<NodeId> replicas = c.replicas(key, 3);
        Coordinator coordinator = c.coordinator(replicas.get(0));
        c.await(coordinator.put(key, VersionVector.empty(), bytes("v"), QuorumOptions.of(3, 0, 3)));
        for (int i = 0; i < 40; i++) {
            c.await(coordinator.get(key, QuorumOptions.DEFAULT));
        }
        long before = coordinator.stats().speculativeReads();
        long delay = coordinator.stats().speculativeDelayMillis();
        c.sim.network().slow(replicas.get(1), Slowdown.inbound(SLOW_MILLIS, SLOW_MILLIS));
        long slowest = 0;
        for (int i = 0; i < reads; i++) {
            long start = c.sim.clock().nanoTime();
            assertThat(liveValues(c.await(coordinator.get(key, QuorumOptions.DEFAULT)))).containsExactly("v");
            slowest = Math.max(slowest, (c.sim.clock().nanoTime() - start) / 1_000_000);
        }
        return new Run(slowest, coordinator.stats().speculativeReads() - before, delay,
                coordinator.stats().speculativeDelayMillis());
    }
}
