package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sloppy quorum: a cut-off primary's share of a write goes to a fallback as a hint, delivered after heal. */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class HintedHandoffTest {

    @Test
    void hintIsStoredOnAFallbackAndDeliveredAfterHeal(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = bytes("hinted");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId cutOff = replicas.get(2);
        NodeId fallback = c.fallbacks(key, 3).get(0);
        c.sim.network().isolate(cutOff);

        c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        assertThat(c.sim.runUntil(() -> c.hints(fallback) == 1, 5_000)).as("hint on first fallback").isTrue();
        assertThat(c.totalHints()).isEqualTo(1);
        assertThat(c.stored(fallback, key).isEmpty()).as("a hint is not the fallback's own data").isTrue();
        assertThat(c.stored(cutOff, key).isEmpty()).isTrue();
        assertThat(c.coordinator(fallback).stats().hintsStored()).isEqualTo(1);

        // While cut off, replay attempts fail and the hint stays.
        c.sim.advance(5_000);
        assertThat(c.hints(fallback)).isEqualTo(1);

        c.sim.network().heal();
        assertThat(c.sim.runUntil(() -> c.totalHints() == 0, 10_000)).as("hint delivered").isTrue();
        for (NodeId replica : replicas) {
            assertThat(liveValues(c.stored(replica, key))).as("on %s", replica).containsExactly("v");
        }
        assertThat(c.coordinator(fallback).stats().hintsDelivered()).isEqualTo(1);
        assertThat(c.stored(fallback, key).isEmpty()).isTrue();
    }

    @Test
    void aPrimaryKnownDownIsReplacedWithoutWaiting(Simulation sim) {
        SimCluster c = new SimCluster(sim, 4, CoordinatorConfig.defaults());
        byte[] key = bytes("k");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId down = replicas.get(1);
        c.sim.network().isolate(down);
        Coordinator coordinator = c.coordinator(replicas.get(0));
        // Learn that it is down: three failed writes, each of which still succeeds at W=2.
        for (int i = 0; i < FailureDetectingLiveness.DEFAULT_DOWN_AFTER; i++) {
            c.await(coordinator.put(bytes("k" + i), VersionVector.empty(), bytes("v"), QuorumOptions.of(3, 0, 3))
                    .handle((v, e) -> null));
        }
        assertThat(c.coordinator(replicas.get(0)).stats().quorumFailures()).isZero();
        long start = c.sim.clock().nanoTime();
        c.await(coordinator.put(key, VersionVector.empty(), bytes("v"), QuorumOptions.of(3, 0, 3)));
        long tookMillis = (c.sim.clock().nanoTime() - start) / 1_000_000;
        // At W=3 the write needed the fallback, and went there at once instead of waiting out the down primary.
        assertThat(tookMillis).isLessThan(CoordinatorConfig.defaults().replicaTimeoutMillis());
        assertThat(c.hints(c.fallbacks(key, 3).get(0))).isGreaterThanOrEqualTo(1);
    }

    @Test
    void writeFailsWithoutEnoughNodes(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults());
        byte[] key = bytes("k");
        List<NodeId> replicas = c.replicas(key, 3);
        c.sim.network().isolate(replicas.get(0));
        Throwable failure = c.awaitFailure(c.coordinator(replicas.get(0))
                .put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        assertThat(failure).isInstanceOfSatisfying(io.chorus.core.error.QuorumException.class, q -> {
            assertThat(q.acks()).isEqualTo(1);
            assertThat(q.required()).isEqualTo(2);
        });
        assertThat(c.coordinator(replicas.get(0)).stats().quorumFailures()).isEqualTo(1);
    }
}
