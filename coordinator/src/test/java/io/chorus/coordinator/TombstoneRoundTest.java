package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The collection rule round by round, with the periodic agent off and rounds run by hand on the partition's first
 * primary: a tombstone every primary holds alike is collected only by a round at least the grace after the first
 * that found it so, and a primary whose state differs (here, a write that reached it after the sync) keeps the
 * tombstone everywhere and starts the stretch over. A collector with no grace, or one that trusted the sync
 * instead of comparing the primaries' states, fails this test.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class TombstoneRoundTest {

    private static final long GRACE = 60_000;
    private static final AntiEntropyConfig MANUAL = AntiEntropyConfig.disabled().withTombstones(true, GRACE);

    @Test
    void aTombstoneIsCollectedOnlyAfterTwoMatchingRoundsAGraceApart(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults(), MANUAL);
        byte[] key = bytes("gone");
        int p = c.ring.partitionOf(key);
        List<NodeId> primaries = c.primaries(p);
        AntiEntropy first = c.antiEntropy(primaries.get(0));
        writeThenDelete(c, primaries.get(0), key);

        assertThat(c.await(first.collectNow(p))).as("the first round only observes").isZero();
        sim.advance(GRACE / 2);
        assertThat(c.await(first.collectNow(p))).as("half a grace later").isZero();
        primaries.forEach(n -> assertThat(c.stored(n, key).isDeleted() && !c.stored(n, key).isEmpty()).isTrue());

        sim.advance(GRACE / 2);
        assertThat(c.await(first.collectNow(p))).as("a grace after the first round").isEqualTo(1);
        sim.advance(1_000);
        primaries.forEach(n -> assertThat(c.stored(n, key).isEmpty()).as("%s", n).isTrue());
    }

    @Test
    void aPrimaryWhoseStateDiffersKeepsTheTombstoneEverywhereAndRestartsTheStretch(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults(), MANUAL);
        byte[] key = bytes("contested");
        int p = c.ring.partitionOf(key);
        List<NodeId> primaries = c.primaries(p);
        AntiEntropy first = c.antiEntropy(primaries.get(0));
        SiblingSet written = c.await(c.coordinator(primaries.get(0)).put(key, VersionVector.empty(), bytes("v"),
                QuorumOptions.of(3, 0, 3)));
        SiblingSet deleted = c.await(c.coordinator(primaries.get(0)).delete(key, written.context(),
                QuorumOptions.of(3, 0, 3)));
        assertThat(c.await(first.collectNow(p))).isZero();

        // A second delete reaches only the last primary (as a late message would): still all tombstones, but its
        // state is not the others'.
        NodeId last = primaries.get(2);
        c.await(c.storage(last).update(p, key, s -> s.update(deleted.context(),
                new io.chorus.core.causal.ActorId(last, c.storage(last).epoch()), null, 5)));
        sim.advance(2 * GRACE);
        assertThat(c.await(first.collectNow(p))).as("states differ: nothing collected").isZero();
        primaries.forEach(n -> assertThat(c.stored(n, key).isEmpty()).as("%s keeps it", n).isFalse());

        // Once syncs make them alike again (the first brings the last primary's state here, the second passes it on
        // to the middle one), the stretch starts over from that round.
        c.await(first.repair(java.util.OptionalInt.of(p)));
        c.await(first.repair(java.util.OptionalInt.of(p)));
        assertThat(c.stored(primaries.get(1), key)).isEqualTo(c.stored(last, key));
        assertThat(c.await(first.collectNow(p))).as("alike again, first round").isZero();
        sim.advance(GRACE);
        assertThat(c.await(first.collectNow(p))).isEqualTo(1);
        sim.advance(1_000);
        primaries.forEach(n -> assertThat(c.stored(n, key).isEmpty()).as("%s", n).isTrue());
    }

    /**
     * Only a hint for a key of the partition blocks its collection: a hint any node holds for another partition
     * does not (every member still answers), so a node down for hours with hints held for it blocks only the
     * partitions it replicates.
     */
    @Test
    void onlyAHintOfThePartitionBlocksItsCollection(Simulation sim) {
        // Replay once an hour: the hints stay put while the rounds run.
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults().withHintReplay(3_600_000, 100), MANUAL);
        byte[] key = bytes("gone");
        int p = c.ring.partitionOf(key);
        List<NodeId> primaries = c.primaries(p);
        AntiEntropy first = c.antiEntropy(primaries.get(0));
        SiblingSet written = writeThenDelete(c, primaries.get(0), key);

        byte[] other = null;
        for (int i = 0; other == null || c.ring.partitionOf(other) == p; i++) {
            other = bytes("other-" + i);
        }
        NodeId holder = c.ids.stream().filter(n -> !primaries.contains(n)).findFirst().orElseThrow();
        hint(c, holder, primaries.get(1), c.ring.partitionOf(other), other, written);
        assertThat(c.await(first.collectNow(p))).isZero();
        sim.advance(GRACE);
        assertThat(c.await(first.collectNow(p))).as("a hint of another partition does not block").isEqualTo(1);

        byte[] again = bytes("gone-again");
        int q = c.ring.partitionOf(again);
        List<NodeId> qPrimaries = c.primaries(q);
        SiblingSet w2 = writeThenDelete(c, qPrimaries.get(0), again);
        NodeId qHolder = c.ids.stream().filter(n -> !qPrimaries.contains(n)).findFirst().orElseThrow();
        hint(c, qHolder, qPrimaries.get(1), q, again, w2);
        AntiEntropy qFirst = c.antiEntropy(qPrimaries.get(0));
        assertThat(c.await(qFirst.collectNow(q))).isZero();
        sim.advance(GRACE);
        assertThat(c.await(qFirst.collectNow(q))).as("a hint of the partition blocks it").isZero();
        qPrimaries.forEach(n -> assertThat(c.stored(n, again).isEmpty()).as("%s keeps it", n).isFalse());
    }

    /** Writes {@code key} on all three primaries through {@code via}, then deletes it; returns the write's state. */
    private static SiblingSet writeThenDelete(SimCluster c, NodeId via, byte[] key) {
        SiblingSet written = c.await(c.coordinator(via).put(key, VersionVector.empty(), bytes("v"),
                QuorumOptions.of(3, 0, 3)));
        c.await(c.coordinator(via).delete(key, written.context(), QuorumOptions.of(3, 0, 3)));
        return written;
    }

    /** Stores a hint on {@code holder} for {@code owner}, as a coordinator's HINT_PUT would. */
    private static void hint(SimCluster c, NodeId holder, NodeId owner, int partition, byte[] key, SiblingSet value) {
        c.await(c.coordinator(holder).peerHandler().handle(owner,
                new HintPut(owner, partition, key, value).encode()));
        assertThat(c.hints(holder)).isPositive();
    }
}
