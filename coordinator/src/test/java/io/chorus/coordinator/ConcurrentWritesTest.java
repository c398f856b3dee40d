package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.SimulationSeeds;
import io.chorus.testkit.Simulation;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Two writers from one context keep both values as siblings; a write with the merged context resolves them. */
@Tag(SimulationSeeds.TAG)
class ConcurrentWritesTest {

    @Test
    void concurrentWritesBecomeSiblingsAndAMergedWriteCollapsesThem() {
        SimulationSeeds.forEachSeed(20, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), 4, CoordinatorConfig.defaults());
            byte[] key = bytes("contended");
            List<NodeId> replicas = c.replicas(key, 3);
            SiblingSet base = c.await(c.coordinator(replicas.get(0))
                    .put(key, VersionVector.empty(), bytes("v0"), QuorumOptions.DEFAULT));
            VersionVector context = base.context();

            // Through two different coordinators, at once.
            CompletableFuture<SiblingSet> a = c.coordinator(replicas.get(0)).put(key, context, bytes("a"),
                    QuorumOptions.DEFAULT);
            CompletableFuture<SiblingSet> b = c.coordinator(replicas.get(1)).put(key, context, bytes("b"),
                    QuorumOptions.DEFAULT);
            c.await(CompletableFuture.allOf(a, b));

            SiblingSet read = c.await(c.coordinator(c.id(3)).get(key, QuorumOptions.of(3, 3, 0)));
            assertThat(liveValues(read)).containsExactly("a", "b");

            SiblingSet resolved = c.await(c.coordinator(replicas.get(2))
                    .put(key, read.context(), bytes("ab"), QuorumOptions.DEFAULT));
            assertThat(liveValues(resolved)).containsExactly("ab");
            assertThat(liveValues(c.await(c.coordinator(c.id(3)).get(key, QuorumOptions.of(3, 3, 0)))))
                    .containsExactly("ab");
        });
    }
}
