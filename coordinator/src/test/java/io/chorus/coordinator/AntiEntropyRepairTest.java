package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link AntiEntropy#repair} on demand and what {@link AntiEntropy#stats} then counts, on a simulated 5-node cluster
 * whose periodic syncs are off, so that the repair alone moves anything. The divergence is written straight into
 * the stores, between one node and its peers only (the peers agree with each other), and the budget has one slot,
 * so that the syncs run one after another and the keys each moves are known exactly.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class AntiEntropyRepairTest {

    private static final CoordinatorConfig ONE_AT_A_TIME = CoordinatorConfig.defaults()
            .withBudget(BudgetConfig.defaults().withMaxConcurrent(1));

    /** What {@link #diverge} wrote, and what a full repair of its node must move. */
    private record Divergence(int onlyHere, int missingHere, int concurrent, int elsewhere) {

        long fetched() {
            return missingHere + concurrent;
        }

        /** A key only here goes to both peers; a concurrent one is fetched from the first and pushed to both. */
        long pushed() {
            return 2L * onlyHere + 2L * concurrent;
        }
    }

    /**
     * 2000 keys: of those in partitions {@code node} holds, one in ten only on it, one in ten only on its peers, one
     * in ten with a value of its own next to its peers' concurrent one, the rest the same everywhere; those in other
     * partitions only on their first primary (a divergence the repair must leave alone).
     */
    private static Divergence diverge(SimCluster c, NodeId node) {
        ActorId here = new ActorId(node, c.storage(node).epoch());
        ActorId there = new ActorId(NodeId.of("elsewhere"), 1);
        Set<Integer> held = new HashSet<>(c.held(node));
        int onlyHere = 0;
        int missingHere = 0;
        int concurrent = 0;
        int elsewhere = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] key = bytes("d" + i);
            int p = c.ring.partitionOf(key);
            SiblingSet mine = SiblingSet.empty().update(VersionVector.empty(), here, bytes("a" + i), i);
            SiblingSet theirs = SiblingSet.empty().update(VersionVector.empty(), there, bytes("b" + i), i);
            List<NodeId> primaries = c.primaries(p);
            if (!held.contains(p)) {
                c.storage(primaries.get(0)).put(p, key, theirs);
                elsewhere++;
                continue;
            }
            for (NodeId replica : primaries) {
                boolean self = replica.equals(node);
                SiblingSet state = switch (i % 10) {
                    case 0 -> self ? mine : null;
                    case 1 -> self ? null : theirs;
                    case 2 -> self ? mine : theirs;
                    default -> theirs;
                };
                if (state != null) {
                    c.storage(replica).put(p, key, state);
                }
            }
            switch (i % 10) {
                case 0 -> onlyHere++;
                case 1 -> missingHere++;
                case 2 -> concurrent++;
                default -> {
                }
            }
        }
        return new Divergence(onlyHere, missingHere, concurrent, elsewhere);
    }

    private static void assertConvergedWithPeers(SimCluster c, NodeId node, int partition) {
        for (NodeId peer : c.primaries(partition)) {
            assertThat(c.storage(peer).trees().tree(partition).root()).as("root of %d on %s", partition, peer)
                    .isEqualTo(c.storage(node).trees().tree(partition).root());
            assertThat(c.contents(peer, partition)).as("partition %d on %s", partition, peer)
                    .isEqualTo(c.contents(node, partition));
        }
    }

    /**
     * {@code repair(OptionalInt.empty())} syncs every partition the node holds with each of its other primaries in
     * one call: afterwards each is identical on all its primaries; the summary and the node's stats count exactly
     * the keys fetched and pushed, the peers' stats the same keys as sent and received; a second repair finds
     * everything in sync. Partitions the node does not hold are left as they were.
     */
    @Test
    void aRepairOfEveryPartitionConvergesThemInOneCallAndCountsWhatMoved(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, ONE_AT_A_TIME, AntiEntropyConfig.disabled());
        NodeId node = c.id(0);
        List<Integer> held = c.held(node);
        Divergence d = diverge(c, node);
        assertThat(held).hasSizeBetween(30, 50);
        long start = sim.clock().currentTimeMillis();

        RepairSummary summary = c.await(c.antiEntropy(node).repair(OptionalInt.empty()));

        assertThat(summary.syncs()).hasSize(2 * held.size());
        assertThat(summary.partitions()).isEqualTo(held.size());
        assertThat(summary.count(SyncReport.Outcome.FAILED) + summary.count(SyncReport.Outcome.DEFERRED)).isZero();
        assertThat(summary.keysFetched()).isEqualTo(d.fetched());
        assertThat(summary.keysPushed()).isEqualTo(d.pushed());
        assertThat(summary.segmentsDiffering()).isPositive();
        assertThat(summary.bytesSent()).isPositive();
        assertThat(summary.bytesReceived()).isPositive();
        assertThat(summary.tookNanos()).isPositive();
        for (int p : held) {
            assertConvergedWithPeers(c, node, p);
        }
        int untouched = 0;
        for (int p = 0; p < SimCluster.PARTITIONS; p++) {
            if (!held.contains(p)) {
                untouched += c.contents(c.primaries(p).get(0), p).size();
                assertThat(c.contents(c.primaries(p).get(1), p)).isEmpty();
            }
        }
        assertThat(untouched).isEqualTo(d.elsewhere());

        AntiEntropyStats stats = c.antiEntropy(node).stats();
        assertThat(stats.exchanges()).isEqualTo(summary.syncs().size());
        assertThat(stats.repaired()).isEqualTo(summary.count(SyncReport.Outcome.REPAIRED));
        assertThat(stats.inSync()).isEqualTo(summary.count(SyncReport.Outcome.IN_SYNC));
        assertThat(stats.failed() + stats.deferred()).isZero();
        assertThat(stats.segmentsDiffering()).isEqualTo(summary.segmentsDiffering());
        assertThat(stats.hashesCompared()).isGreaterThanOrEqualTo(summary.syncs().size());
        assertThat(stats.keysFetched()).isEqualTo(d.fetched());
        assertThat(stats.keysPushed()).isEqualTo(d.pushed());
        assertThat(stats.bytesSent()).isEqualTo(summary.bytesSent());
        assertThat(stats.bytesReceived()).isEqualTo(summary.bytesReceived());
        assertThat(stats.lastSyncMillis().keySet()).containsExactlyInAnyOrderElementsOf(held);
        assertThat(stats.lastSyncMillis().values())
                .allSatisfy(t -> assertThat(t).isBetween(start, sim.clock().currentTimeMillis()));
        long sent = 0;
        long received = 0;
        for (NodeId other : c.ids) {
            if (!other.equals(node)) {
                sent += c.antiEntropy(other).stats().keysSent();
                received += c.antiEntropy(other).stats().keysReceived();
                assertThat(c.antiEntropy(other).stats().exchanges()).as("syncs %s started", other).isZero();
            }
        }
        assertThat(sent).as("states the peers sent").isEqualTo(d.fetched());
        assertThat(received).as("states the peers merged").isEqualTo(d.pushed());

        RepairSummary again = c.await(c.antiEntropy(node).repair(OptionalInt.empty()));
        assertThat(again.count(SyncReport.Outcome.IN_SYNC)).isEqualTo(2L * held.size());
        assertThat(again.keysFetched() + again.keysPushed() + again.segmentsDiffering()).isZero();
    }

    /** One partition on demand: that one converges, the others stay as they were. */
    @Test
    void aRepairOfOnePartitionTouchesThatOneOnly(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, ONE_AT_A_TIME, AntiEntropyConfig.disabled());
        NodeId node = c.id(0);
        diverge(c, node);
        List<Integer> held = c.held(node);
        int target = held.get(0);
        int other = held.get(1);
        long rootBefore = c.storage(node).trees().tree(other).root();

        RepairSummary summary = c.await(c.antiEntropy(node).repair(OptionalInt.of(target)));

        assertThat(summary.partitions()).isEqualTo(1);
        assertThat(summary.syncs()).hasSize(2).allSatisfy(s -> assertThat(s.partition()).isEqualTo(target));
        assertConvergedWithPeers(c, node, target);
        assertThat(c.storage(node).trees().tree(other).root()).isEqualTo(rootBefore);
        for (NodeId peer : c.primaries(other)) {
            if (!peer.equals(node)) {
                assertThat(c.storage(peer).trees().tree(other).root()).isNotEqualTo(rootBefore);
            }
        }
        assertThat(c.antiEntropy(node).stats().lastSyncMillis().keySet()).containsExactly(target);
    }

    /** A partition the node holds no replica of is refused with NOT_A_REPLICA, one outside the ring BAD_REQUEST. */
    @Test
    void aRepairOfAPartitionTheNodeDoesNotHoldFailsNotAReplica(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, ONE_AT_A_TIME, AntiEntropyConfig.disabled());
        NodeId node = c.id(0);
        int notHeld = 0;
        while (c.held(node).contains(notHeld)) {
            notHeld++;
        }
        Throwable failure = c.awaitFailure(c.antiEntropy(node).repair(OptionalInt.of(notHeld)));
        assertThat(failure).isInstanceOfSatisfying(ChorusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_A_REPLICA));
        Throwable outside = c.awaitFailure(c.antiEntropy(node).repair(OptionalInt.of(SimCluster.PARTITIONS)));
        assertThat(outside).isInstanceOfSatisfying(ChorusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(c.antiEntropy(node).stats().exchanges()).isZero();
    }
}
