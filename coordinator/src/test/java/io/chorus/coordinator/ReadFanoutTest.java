package io.chorus.coordinator;

import static io.chorus.coordinator.CountingTransport.sent;
import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A read asks R replicas, not N: itself and the nearest other; a failed one is replaced at once, a silent one
 * after the replica timeout; the replicas it did not ask are compared and repaired at {@code readRepairChance}.
 * Messages are counted per replica on the simulated network.
 */
@Tag(SimulationSeeds.TAG)
class ReadFanoutTest {

    /** No speculation and no background comparison: only the fanout itself sends REPLICA_GETs. */
    private static final CoordinatorConfig PLAIN = CoordinatorConfig.defaults()
            .withSpeculativeRetry(SpeculativeRetry.OFF).withReadRepairChance(0);

    @Test
    void aReadAsksItselfAndTheNearestOtherReplicaOnly() {
        SimulationSeeds.forEachSeed(10, seed -> {
            Map<String, Integer> counts = CountingTransport.newCounts();
            SimCluster c = new SimCluster(new Simulation(seed), 5, PLAIN,
                    t -> new CountingTransport(t, counts, PeerOpcodes.REPLICA_GET));
            for (int k = 0; k < 20; k++) {
                byte[] key = bytes("fanout-" + k);
                List<NodeId> replicas = c.replicas(key, 3);
                c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("v"),
                        QuorumOptions.of(3, 0, 3)));
                assertThat(liveValues(c.await(c.coordinator(replicas.get(0)).get(key, QuorumOptions.DEFAULT))))
                        .containsExactly("v");
                assertThat(sent(counts, replicas.get(0), replicas.get(1))).as("key %d (seed %d)", k, seed)
                        .isEqualTo(1);
                assertThat(sent(counts, replicas.get(0), replicas.get(2))).as("key %d (seed %d)", k, seed)
                        .isZero();
                counts.clear();
            }
            assertThat(c.ids.stream().mapToLong(id -> c.coordinator(id).stats().speculativeReads()).sum()).isZero();
        });
    }

    @Test
    void withFanoutAllEveryReplicaIsAsked() {
        SimulationSeeds.forEachSeed(5, seed -> {
            Map<String, Integer> counts = CountingTransport.newCounts();
            SimCluster c = new SimCluster(new Simulation(seed), 5, PLAIN.withReadFanout(ReadFanout.ALL),
                    t -> new CountingTransport(t, counts, PeerOpcodes.REPLICA_GET));
            byte[] key = bytes("fanout-all");
            List<NodeId> replicas = c.replicas(key, 3);
            c.await(c.coordinator(replicas.get(0)).get(key, QuorumOptions.DEFAULT));
            assertThat(sent(counts, replicas.get(0), replicas.get(1))).as("seed %d", seed).isEqualTo(1);
            assertThat(sent(counts, replicas.get(0), replicas.get(2))).as("seed %d", seed).isEqualTo(1);
        });
    }

    @Test
    void aFailedAskedReplicaIsReplacedAtOnceByTheNext() {
        SimulationSeeds.forEachSeed(10, seed -> {
            Map<String, Integer> counts = CountingTransport.newCounts();
            SimCluster c = new SimCluster(new Simulation(seed), 3, PLAIN,
                    t -> new CountingTransport(t, counts, PeerOpcodes.REPLICA_GET));
            byte[] key = bytes("replaced");
            List<NodeId> replicas = c.replicas(key, 3);
            c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("v"),
                    QuorumOptions.of(3, 0, 3)));
            // Its read of the key fails CORRUPT: an error reply, long before any timer.
            c.damage(replicas.get(1), key);
            counts.clear();
            long start = c.sim.clock().nanoTime();
            assertThat(liveValues(c.await(c.coordinator(replicas.get(0)).get(key, QuorumOptions.DEFAULT))))
                    .as("seed %d", seed).containsExactly("v");
            long tookMillis = (c.sim.clock().nanoTime() - start) / 1_000_000;
            assertThat(sent(counts, replicas.get(0), replicas.get(1))).isEqualTo(1);
            assertThat(sent(counts, replicas.get(0), replicas.get(2))).as("the next is asked (seed %d)", seed)
                    .isEqualTo(1);
            // Two round trips of at most 20 ms, not a timer's wait.
            assertThat(tookMillis).as("seed %d", seed).isLessThanOrEqualTo(40);
            assertThat(c.coordinator(replicas.get(0)).stats().readsWidened()).isZero();
        });
    }

    @Test
    void aSilentAskedReplicaIsReplacedAfterTheReplicaTimeoutWithoutSpeculation() {
        SimulationSeeds.forEachSeed(10, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), 3, PLAIN);
            byte[] key = bytes("silent");
            List<NodeId> replicas = c.replicas(key, 3);
            c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("v"),
                    QuorumOptions.of(3, 0, 3)));
            // Crashed, but the coordinator's liveness has not noticed: it still asks it first.
            c.crash(replicas.get(1));
            long start = c.sim.clock().nanoTime();
            assertThat(liveValues(c.await(c.coordinator(replicas.get(0)).get(key, QuorumOptions.DEFAULT))))
                    .as("seed %d", seed).containsExactly("v");
            long tookMillis = (c.sim.clock().nanoTime() - start) / 1_000_000;
            long replicaTimeout = PLAIN.replicaTimeoutMillis();
            assertThat(tookMillis).as("seed %d", seed).isBetween(replicaTimeout, replicaTimeout + 20);
            assertThat(c.coordinator(replicas.get(0)).stats().readsWidened()).isEqualTo(1);
        });
    }

    @Test
    void backgroundReadRepairAtChanceOneRepairsAStaleReplicaThatWasNotAsked() {
        SimulationSeeds.forEachSeed(10, seed -> {
            Stale s = staleThirdReplica(seed, 1.0);
            assertThat(liveValues(s.c.stored(s.replicas.get(2), s.key))).as("seed %d", seed).containsExactly("v");
            assertThat(s.c.stored(s.replicas.get(2), s.key)).isEqualTo(s.c.stored(s.replicas.get(0), s.key));
            CoordinatorStats stats = s.c.coordinator(s.replicas.get(0)).stats();
            assertThat(stats.backgroundReadRepairChecks()).isEqualTo(1);
            assertThat(stats.backgroundReadRepairs()).isEqualTo(1);
            assertThat(stats.readRepairs()).isEqualTo(1);
        });
    }

    @Test
    void backgroundReadRepairAtChanceZeroLeavesTheReplicaNotAskedToAntiEntropy() {
        SimulationSeeds.forEachSeed(10, seed -> {
            Stale s = staleThirdReplica(seed, 0.0);
            assertThat(s.c.stored(s.replicas.get(2), s.key).isEmpty()).as("seed %d", seed).isTrue();
            CoordinatorStats stats = s.c.coordinator(s.replicas.get(0)).stats();
            assertThat(stats.backgroundReadRepairChecks()).isZero();
            assertThat(stats.readRepairs()).isZero();
        });
    }

    private record Stale(SimCluster c, byte[] key, List<NodeId> replicas) {
    }

    /**
     * The third replica misses a write (three nodes, N = 3: no fallback, no hint), then the first one reads at
     * R = 2, asking itself and the second: both hold the write.
     */
    private static Stale staleThirdReplica(long seed, double chance) {
        SimCluster c = new SimCluster(new Simulation(seed), 3, PLAIN.withReadRepairChance(chance));
        byte[] key = bytes("unasked");
        List<NodeId> replicas = c.replicas(key, 3);
        c.sim.network().isolate(replicas.get(2));
        c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        c.sim.advance(2_000);
        c.sim.network().heal();
        // The coordinator's liveness may have marked the third down: a success tells it otherwise.
        c.liveness(replicas.get(0)).onSuccess(replicas.get(2));
        assertThat(c.stored(replicas.get(2), key).isEmpty()).isTrue();
        assertThat(liveValues(c.await(c.coordinator(replicas.get(0)).get(key, QuorumOptions.DEFAULT))))
                .containsExactly("v");
        c.sim.advance(PLAIN.readRepairGraceMillis() + 1_000);
        return new Stale(c, key, replicas);
    }
}
