package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A read repairs the replicas that answered with less than the merged state. */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class ReadRepairTest {

    @Test
    void aStaleReplicaIsRepairedByARead(Simulation sim) {
        // Three nodes, N=3: no fallback exists, so the missed write stays missed until a read repairs it.
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults());
        byte[] key = bytes("repair-me");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId coordinator = replicas.get(1);
        // A read asks R = 2 replicas: its coordinator and the first other one of the list, this one.
        NodeId stale = replicas.get(0);
        c.sim.network().isolate(stale);
        c.await(c.coordinator(coordinator).put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        c.sim.advance(2_000);
        c.sim.network().heal();
        assertThat(c.stored(stale, key).isEmpty()).isTrue();

        SiblingSet read = c.await(c.coordinator(coordinator).get(key, QuorumOptions.DEFAULT));
        assertThat(liveValues(read)).containsExactly("v");
        c.sim.advance(CoordinatorConfig.defaults().readRepairGraceMillis() + 1_000);
        assertThat(liveValues(c.stored(stale, key))).containsExactly("v");
        assertThat(c.stored(stale, key)).isEqualTo(c.stored(coordinator, key));
        assertThat(c.coordinator(coordinator).stats().readRepairs()).isEqualTo(1);
    }

    @Test
    void aStaleCoordinatorRepairsItself(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults());
        byte[] key = bytes("repair-myself");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId stale = replicas.get(2);
        c.sim.network().isolate(stale);
        c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        c.sim.advance(2_000);
        c.sim.network().heal();

        // Its own local read is one of the R, and it answered with less than the merge.
        assertThat(liveValues(c.await(c.coordinator(stale).get(key, QuorumOptions.DEFAULT)))).containsExactly("v");
        c.sim.advance(CoordinatorConfig.defaults().readRepairGraceMillis() + 1_000);
        assertThat(c.stored(stale, key)).isEqualTo(c.stored(replicas.get(0), key));
        assertThat(c.coordinator(stale).stats().readRepairs()).isEqualTo(1);
    }

    @Test
    void plannerPicksExactlyTheRepliesMissingSomething() {
        var actor = io.chorus.core.causal.ActorId.of("a", 1);
        SiblingSet v1 = SiblingSet.empty().update(VersionVector.empty(), actor, bytes("1"), 1);
        SiblingSet v2 = v1.update(v1.context(), actor, bytes("2"), 2);
        SiblingSet merged = v1.merge(v2);
        Map<NodeId, SiblingSet> replies = new java.util.LinkedHashMap<>();
        replies.put(NodeId.of("x"), v2);
        replies.put(NodeId.of("y"), v1);
        replies.put(NodeId.of("z"), SiblingSet.empty());
        assertThat(ReadRepair.staleReplicas(merged, replies)).containsExactly(NodeId.of("y"), NodeId.of("z"));
    }
}
