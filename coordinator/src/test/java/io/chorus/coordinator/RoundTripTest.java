package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Put, get, overwrite and delete through every node, at several cluster sizes and N/R/W. */
@Tag(SimulationSeeds.TAG)
class RoundTripTest {

    @ParameterizedTest(name = "{0} nodes, N={1} R={2} W={3}")
    @CsvSource({"1,1,1,1", "3,3,2,2", "3,3,3,3", "3,3,1,3", "5,3,2,2", "5,5,3,3"})
    void roundTrips(int nodes, int n, int r, int w) {
        SimulationSeeds.forEachSeed(5, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), nodes, CoordinatorConfig.defaults());
            QuorumOptions read = QuorumOptions.of(n, r, 0);
            QuorumOptions write = QuorumOptions.of(n, 0, w);
            for (int k = 0; k < 8; k++) {
                byte[] key = bytes("key-" + k);
                NodeId writer = c.id(k % nodes);
                NodeId reader = c.id((k + 1) % nodes);

                assertThat(c.await(c.coordinator(reader).get(key, read)).isEmpty()).isTrue();

                SiblingSet first = c.await(c.coordinator(writer).put(key, VersionVector.empty(), bytes("v1"), write));
                assertThat(liveValues(first)).containsExactly("v1");
                SiblingSet read1 = c.await(c.coordinator(reader).get(key, QuorumOptions.of(n, n, 0)));
                assertThat(liveValues(read1)).containsExactly("v1");

                SiblingSet second = c.await(c.coordinator(reader).put(key, read1.context(), bytes("v2"), write));
                assertThat(liveValues(second)).containsExactly("v2");
                assertThat(liveValues(c.await(c.coordinator(writer).get(key, read)))).containsExactly("v2");

                SiblingSet deleted = c.await(c.coordinator(writer).delete(key, second.context(), write));
                assertThat(deleted.isDeleted()).isTrue();
                SiblingSet afterDelete = c.await(c.coordinator(reader).get(key, QuorumOptions.of(n, n, 0)));
                assertThat(afterDelete.isDeleted()).isTrue();
                assertThat(afterDelete.context().descends(deleted.context())).isTrue();

                // Every write reached all N primaries (nothing was down), and nowhere else.
                c.sim.advance(1_000);
                for (NodeId replica : c.replicas(key, n)) {
                    assertThat(c.stored(replica, key).isDeleted()).as("tombstone on %s", replica).isTrue();
                    assertThat(c.stored(replica, key).isEmpty()).isFalse();
                }
                for (NodeId other : c.nonReplicas(key, n)) {
                    assertThat(c.stored(other, key).isEmpty()).as("nothing on non-replica %s", other).isTrue();
                }
            }
            assertThat(c.totalHints()).isZero();
        });
    }
}
