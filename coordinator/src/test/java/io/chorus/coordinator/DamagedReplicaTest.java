package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.QuorumException;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Replicas answer reads with their stored bytes undecoded, so a replica whose bytes went bad sends bytes the
 * coordinator cannot decode: that reply counts as a failed replica, never as data and never as "not found".
 */
@Tag(SimulationSeeds.TAG)
class DamagedReplicaTest {

    @Test
    void aDamagedReplicaCountsAsFailedWhetherItIsRemoteOrTheCoordinatorItself() {
        SimulationSeeds.forEachSeed(10, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), 3, CoordinatorConfig.defaults());
            byte[] key = bytes("damaged");
            c.await(c.coordinator(c.id(0)).put(key, VersionVector.empty(), bytes("v1"), QuorumOptions.of(3, 0, 3)));
            List<NodeId> replicas = c.replicas(key, 3);
            NodeId bad = replicas.get(2);
            c.damage(bad, key);

            for (NodeId coordinator : replicas) {
                assertThat(liveValues(c.await(c.coordinator(coordinator).get(key, QuorumOptions.of(3, 2, 0)))))
                        .as("R=2 via %s with %s damaged (seed %d)", coordinator, bad, seed).containsExactly("v1");
                Throwable all = c.awaitFailure(c.coordinator(coordinator).get(key, QuorumOptions.of(3, 3, 0)));
                assertThat(all).as("R=3 via %s (seed %d)", coordinator, seed)
                        .isInstanceOfSatisfying(QuorumException.class, q -> {
                            assertThat(q.code()).isEqualTo(ErrorCode.QUORUM_NOT_MET);
                            // As soon as R=3 is impossible: the healthy replies in by then, never the damaged one.
                            assertThat(q.acks()).isLessThanOrEqualTo(2);
                            assertThat(q.required()).isEqualTo(3);
                        });
            }
            c.sim.advance(1_000);
            assertThat(c.coordinator(replicas.get(0)).stats().readRepairs())
                    .as("a replica that failed is not repaired (seed %d)", seed).isZero();
        });
    }
}
