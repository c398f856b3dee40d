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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "Delete + partition + heal: the tombstone reaches every replica and is then purged everywhere; the key never
 * returns, including when a replica that still holds the old value comes back after the purge window of any
 * timer-based scheme." On the simulated cluster, with the collector's grace cut to a minute, so that weeks of
 * virtual time are tens of thousands of graces: whatever keeps a tombstone is the causal rule, not the timer.
 *
 * <p><b>Why a grace-only collector fails these tests.</b> Cassandra drops a tombstone once it is older than
 * {@code gc_grace_seconds} (ten days by default), whether or not every replica has seen it. In the first test A and
 * B would drop theirs on day ten while C, cut off, still holds the old value with nothing left anywhere to cover
 * it; after the heal C's anti-entropy finds a key A and B lack and pushes it to them: the deleted value is back on
 * all three. The test fails before that already, when it finds A's and B's tombstones gone on day thirty;
 * {@link #aGraceOnlyCollectorWouldResurrectTheKey} plays the naive scheme's purge by hand to show the rest.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class TombstoneCollectionTest {

    private static final long MINUTE = 60_000;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long GRACE = MINUTE;

    /**
     * For runs of weeks: a sync of every pair every 6 hours (all due ones started at once, the budget running two
     * at a time), ticks and hint rounds every 10 minutes, so a month costs few events; the grace a minute.
     */
    private static final AntiEntropyConfig SPARSE = AntiEntropyConfig.defaults()
            .withSchedule(10 * MINUTE, 6 * HOUR, 64).withTombstones(true, GRACE);
    private static final CoordinatorConfig SPARSE_HINTS = CoordinatorConfig.defaults()
            .withHintReplay(10 * MINUTE, 100);

    private static final QuorumOptions ALL = QuorumOptions.of(3, 0, 3);
    private static final QuorumOptions TWO = QuorumOptions.of(3, 0, 2);

    /** The classic resurrection case: a replica with the old value is away for a month, far beyond any grace. */
    @Test
    void aReplicaAwayPastAnyGraceNeverBringsADeletedValueBack(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, SPARSE_HINTS, SPARSE);
        byte[] key = bytes("doomed");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId away = replicas.get(2);
        SiblingSet written = c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("old"),
                ALL));
        byte[] alive = bytes("alive");
        c.await(c.coordinator(replicas.get(1)).put(alive, VersionVector.empty(), bytes("kept"), ALL));

        sim.network().isolate(away);
        c.await(c.coordinator(replicas.get(0)).delete(key, written.context(), TWO));
        sim.advance(30 * DAY);

        assertTombstoneOn(c, key, replicas.subList(0, 2), "after 30 days with " + away + " away");
        assertThat(liveValues(c.stored(away, key))).containsExactly("old");
        assertThat(purged(c)).isZero();
        assertThat(c.antiEntropy(replicas.get(0)).stats().inSync()).as("syncs ran meanwhile").isPositive();

        sim.network().heal();
        awaitCollected(c, key, away);
        assertNeverReturns(c, key, 3 * DAY);
        assertThat(liveValues(c.stored(replicas.get(0), alive))).containsExactly("kept");
    }

    /** The same with the replica crashed rather than cut off: nothing is collected while a primary is down. */
    @Test
    void aTombstoneIsNotCollectedWhileAPrimaryIsDown(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, SPARSE_HINTS, SPARSE);
        byte[] key = bytes("doomed");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId down = replicas.get(1);
        SiblingSet written = c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("old"),
                ALL));

        c.crash(down);
        c.await(c.coordinator(replicas.get(0)).delete(key, written.context(), TWO));
        sim.advance(30 * DAY);

        assertTombstoneOn(c, key, List.of(replicas.get(0), replicas.get(2)), "after 30 days with " + down + " down");
        assertThat(liveValues(c.stored(down, key))).containsExactly("old");
        assertThat(purged(c)).isZero();

        c.restart(down);
        awaitCollected(c, key, down);
        assertNeverReturns(c, key, 3 * DAY);
    }

    /**
     * Not while any node holds a hint: a fallback of a 5-node cluster holds the old value for a primary that was
     * cut off when it was written. The primaries all hold the same tombstone and collection rounds run, a
     * thousand graces pass, and the tombstone stays until the hint is delivered (to a tombstone that covers it);
     * only then is it collected. A collector that ignored hints would purge first, and the late hint would bring
     * the old value back.
     */
    @Test
    void aTombstoneIsNotCollectedWhileANodeHoldsAHint(Simulation sim) {
        AntiEntropyConfig quick = AntiEntropyConfig.defaults().withSchedule(5_000, MINUTE, 64)
                .withTombstones(true, GRACE);
        // Hint rounds every two hours: the hint waits that long for its first delivery attempt.
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults().withHintReplay(2 * HOUR, 100), quick);
        byte[] key = bytes("hinted");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId first = c.primaries(c.ring.partitionOf(key)).get(0);
        NodeId cutOff = replicas.get(2);

        sim.network().isolate(cutOff);
        SiblingSet written = c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("old"),
                TWO));
        assertThat(sim.runUntil(() -> c.totalHints() == 1, 5_000)).as("the old value hinted for %s", cutOff)
                .isTrue();
        NodeId holder = c.ids.stream().filter(id -> c.hints(id) == 1).findFirst().orElseThrow();
        assertThat(replicas).doesNotContain(holder);
        sim.network().heal();
        c.await(c.coordinator(replicas.get(0)).delete(key, written.context(), ALL));
        long roundsBefore = c.antiEntropy(first).stats().collectionRounds();

        sim.advance(HOUR);
        assertTombstoneOn(c, key, replicas, "an hour later, with the hint on " + holder);
        assertThat(c.hints(holder)).isEqualTo(1);
        assertThat(c.antiEntropy(first).stats().collectionRounds() - roundsBefore)
                .as("collection rounds that found the hint").isGreaterThan(10);
        assertThat(purged(c)).isZero();

        // The first replay round, two hours after the start, delivers the hint: the tombstone covers its old value.
        assertThat(sim.runUntil(() -> c.totalHints() == 0, 2 * HOUR)).as("hint gone").isTrue();
        assertThat(c.coordinator(holder).stats().hintsDelivered()).as("delivered, not dropped").isEqualTo(1);
        assertTombstoneOn(c, key, replicas, "right after the hint's delivery");
        awaitCollected(c, key, cutOff);
        assertNeverReturns(c, key, HOUR);
    }

    /**
     * The control of the first test: the purge a grace-only scheme would do, played by hand on A and B on day ten
     * of C's absence (collection itself off). After the heal the deleted value is back on all three replicas.
     */
    @Test
    void aGraceOnlyCollectorWouldResurrectTheKey(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, SPARSE_HINTS, SPARSE.withTombstones(false, 0));
        byte[] key = bytes("doomed");
        int partition = c.ring.partitionOf(key);
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId away = replicas.get(2);
        SiblingSet written = c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("old"),
                ALL));
        sim.network().isolate(away);
        c.await(c.coordinator(replicas.get(0)).delete(key, written.context(), TWO));
        sim.advance(10 * DAY);
        for (NodeId id : replicas.subList(0, 2)) {
            long hash = c.storage(id).entryHash(partition, key);
            assertThat(c.await(c.storage(id).purgeTombstone(partition, key, hash))).isTrue();
        }
        sim.advance(20 * DAY);
        sim.network().heal();
        assertThat(sim.runUntil(() -> replicas.stream().allMatch(id -> liveValues(c.stored(id, key))
                .equals(List.of("old"))), 2 * DAY)).as("the deleted value back everywhere").isTrue();
    }

    private static void assertTombstoneOn(SimCluster c, byte[] key, List<NodeId> nodes, String when) {
        SiblingSet first = c.stored(nodes.get(0), key);
        for (NodeId id : nodes) {
            SiblingSet stored = c.stored(id, key);
            assertThat(stored.isEmpty()).as("%s still holds the tombstone %s", id, when).isFalse();
            assertThat(stored.isDeleted()).as("%s holds a tombstone %s: %s", id, when, stored).isTrue();
            assertThat(stored).as("the same tombstone on %s %s", id, when).isEqualTo(first);
        }
    }

    /** Runs until the tombstone reached {@code late} and then was purged on every primary, and counts the purges. */
    private static void awaitCollected(SimCluster c, byte[] key, NodeId late) {
        assertThat(c.sim.runUntil(() -> c.stored(late, key).isDeleted() && !c.stored(late, key).isEmpty(), 2 * DAY))
                .as("the tombstone reached %s; %s", late, c.describeAe()).isTrue();
        List<NodeId> replicas = c.replicas(key, 3);
        assertThat(c.sim.runUntil(() -> replicas.stream().allMatch(id -> c.stored(id, key).isEmpty()), 2 * DAY))
                .as("purged on every replica; %s", c.describeAe()).isTrue();
        assertThat(purged(c)).as("tombstones purged").isEqualTo(3);
    }

    /** A read at R=N finds nothing, and {@code millis} more of syncs and collection rounds bring nothing back. */
    private static void assertNeverReturns(SimCluster c, byte[] key, long millis) {
        List<NodeId> replicas = c.replicas(key, 3);
        SiblingSet read = c.await(c.coordinator(replicas.get(0)).get(key, QuorumOptions.of(3, 3, 0)));
        assertThat(read.liveSiblings()).as("read at R=3").isEmpty();
        c.sim.advance(millis);
        for (NodeId id : c.ids) {
            assertThat(c.stored(id, key).isEmpty()).as("%s stores nothing for the key", id).isTrue();
        }
        assertThat(c.totalHints()).isZero();
        assertThat(purged(c)).as("purged once, nothing to purge again").isEqualTo(3);
    }

    private static long purged(SimCluster c) {
        return c.ids.stream().mapToLong(id -> c.antiEntropy(id).stats().tombstonesPurged()).sum();
    }
}
