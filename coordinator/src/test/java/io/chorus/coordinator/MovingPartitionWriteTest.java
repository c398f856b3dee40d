package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.QuorumException;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * While a partition moves from three nodes to a fourth, writes reach the old and the new replicas and need W of
 * each; reads and coordination stay on the old replicas until the move is done.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class MovingPartitionWriteTest {

    private record Moving(SimCluster cluster, RingState state, byte[] key, int partition, List<NodeId> old,
            List<NodeId> next, NodeId receiver, NodeId leaver) {
        List<NodeId> stayers() {
            List<NodeId> s = new ArrayList<>(old);
            s.remove(leaver);
            return s;
        }
    }

    /** Four simulated nodes routing by a move from a ring of n1..n3 to one of n1..n4, and a key that moves. */
    private static Moving moving(Simulation sim) {
        SimCluster c = new SimCluster(sim, 4, CoordinatorConfig.defaults());
        Ring three = Claim.create(List.of(Member.of("n1"), Member.of("n2"), Member.of("n3")), SimCluster.PARTITIONS);
        RingState state = RingState.of(three).commit(NodeId.of("n1"), 3, Claim.join(three, Member.of("n4")),
                List.of());
        c.setRingState(state);
        for (int i = 0; ; i++) {
            byte[] key = bytes("key-" + i);
            int p = three.partitionOf(key);
            if (!state.isDone(p)) {
                return new Moving(c, state, key, p, state.replicasIn(state.from(), p), state.replicasIn(state.to(), p),
                        state.receivers(p).get(0), state.leavers(p).get(0));
            }
        }
    }

    @Test
    void aWriteReachesTheOldAndTheNewReplicas(Simulation sim) {
        Moving m = moving(sim);
        SimCluster c = m.cluster();
        assertThat(m.receiver()).isEqualTo(NodeId.of("n4"));
        c.await(c.coordinator(m.old().get(0)).put(m.key(), VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        assertThat(c.sim.runUntil(() -> c.ids.stream().noneMatch(n -> c.stored(n, m.key()).isEmpty()), 5_000))
                .as("the write reached the three old replicas and the new one").isTrue();
        for (NodeId n : c.ids) {
            assertThat(liveValues(c.stored(n, m.key()))).as("on %s", n).containsExactly("v");
        }
    }

    @Test
    void aWriteNeedsWOfTheNewReplicasToo(Simulation sim) {
        Moving m = moving(sim);
        SimCluster c = m.cluster();
        NodeId coordinator = m.stayers().get(0);
        // The old list still has W = 2 (the coordinator and the leaver) but the new one only the coordinator.
        c.crash(m.receiver());
        c.crash(m.stayers().get(1));
        Throwable failure = c.awaitFailure(c.coordinator(coordinator).put(m.key(), VersionVector.empty(), bytes("v"),
                QuorumOptions.DEFAULT));
        assertThat(failure).isInstanceOf(QuorumException.class);
        assertThat(((QuorumException) failure).code()).isIn(ErrorCode.QUORUM_NOT_MET, ErrorCode.TIMEOUT);
        assertThat(liveValues(c.stored(m.leaver(), m.key()))).containsExactly("v");
    }

    @Test
    void losingTheLeaverCostsNothing(Simulation sim) {
        Moving m = moving(sim);
        SimCluster c = m.cluster();
        c.crash(m.leaver());
        c.await(c.coordinator(m.stayers().get(0)).put(m.key(), VersionVector.empty(), bytes("v"),
                QuorumOptions.DEFAULT));
        assertThat(c.sim.runUntil(() -> !c.stored(m.receiver(), m.key()).isEmpty(), 5_000)).isTrue();
    }

    @Test
    void theReceiverDoesNotCoordinateOrServeReadsUntilTheMoveIsDone(Simulation sim) {
        Moving m = moving(sim);
        SimCluster c = m.cluster();
        c.await(c.coordinator(m.old().get(0)).put(m.key(), VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        // The receiver forwards a read to the old replicas, even with its own copy emptied (as before it received).
        c.wipe(m.receiver());
        assertThat(liveValues(c.await(c.coordinator(m.receiver()).get(m.key(), QuorumOptions.DEFAULT))))
                .containsExactly("v");
        assertThat(c.coordinator(m.receiver()).stats().forwards()).as("forwarded to an old replica").isEqualTo(1);
        java.util.BitSet p = new java.util.BitSet();
        p.set(m.partition());
        RingState done = m.state().markDone(NodeId.of("n1"), p);
        c.setRingState(done);
        assertThat(done.readReplicas(m.partition(), 3)).containsExactlyInAnyOrderElementsOf(m.next());
        assertThat(done.writeQuorums(m.partition(), 3)).hasSize(1);
    }
}
