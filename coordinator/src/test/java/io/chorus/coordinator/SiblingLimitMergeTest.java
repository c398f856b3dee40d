package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.Dot;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sibling limit (100) is for a client's write at its coordinator. Two replicas that each took 60 blind writes
 * while cut off from each other hold 120 siblings together, and hint replay and read repair must still merge them:
 * the stores (in-memory here, with the LMDB engine's default limits) keep every merge, so the replicas converge
 * and every acknowledged write reaches every replica. See also {@code SiblingLimitConvergenceTest} on LMDB.
 */
@Tag(SimulationSeeds.TAG)
class SiblingLimitMergeTest {

    private static final int PER_SIDE = 60;

    @Test
    void replicasFilledApartPastTheLimitConverge() {
        SimulationSeeds.forEachSeed(10, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), 4, CoordinatorConfig.defaults());
            byte[] key = bytes("crowded");
            List<NodeId> replicas = c.replicas(key, 3);
            NodeId lonely = replicas.get(0);
            Set<Dot> acknowledged = new HashSet<>();

            c.sim.network().isolate(lonely);
            for (int i = 0; i < PER_SIDE; i++) {
                acknowledged.addAll(dots(c.await(c.coordinator(replicas.get(1)).put(key, VersionVector.empty(),
                        bytes("b" + i), QuorumOptions.of(3, 0, 3)))));
                acknowledged.addAll(dots(c.await(c.coordinator(lonely).put(key, VersionVector.empty(),
                        bytes("a" + i), QuorumOptions.of(3, 0, 1)))));
            }
            assertThat(acknowledged).hasSize(2 * PER_SIDE);
            c.sim.network().heal();

            assertThat(c.sim.runUntil(() -> c.totalHints() == 0, 30_000)).as("hints delivered, seed %d", seed)
                    .isTrue();
            SiblingSet read = c.await(c.coordinator(replicas.get(2)).get(key, QuorumOptions.of(3, 3, 0)));
            assertThat(dots(read)).containsAll(acknowledged);
            assertThat(c.sim.runUntil(() -> replicas.stream().allMatch(r -> c.stored(r, key).equals(read)), 5_000))
                    .as("replicas converge, seed %d", seed).isTrue();
            assertThat(replicas.stream().mapToLong(r -> c.storage(r).stats().mergesOverLimit()).sum())
                    .isPositive();
        });
    }

    private static Set<Dot> dots(SiblingSet set) {
        Set<Dot> dots = new HashSet<>();
        for (Sibling s : set.siblings()) {
            dots.add(s.dot());
        }
        return dots;
    }
}
