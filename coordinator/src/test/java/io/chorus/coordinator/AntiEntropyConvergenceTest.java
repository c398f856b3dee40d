package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.Dot;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Bytes;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Anti-entropy on the simulated cluster, with nothing else to converge the replicas: no hints, no reads. Every check
 * reads the stores directly ({@link SimCluster#stored}, {@link SimCluster#contents}), never through a coordinator,
 * whose read would repair what it reads.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class AntiEntropyConvergenceTest {

    /** Short ticks and intervals in virtual time: every pair of replicas of a partition syncs within seconds. */
    static final AntiEntropyConfig FAST = AntiEntropyConfig.defaults().withSchedule(100, 1_000, 2);
    /** No node stores a hint: a write that misses a replica stays missed until anti-entropy brings it. */
    static final CoordinatorConfig NO_HINTS = CoordinatorConfig.defaults().withHintLimits(0, 6 * 3600_000L);

    /**
     * "With hints disabled, a partitioned replica converges after the heal by anti-entropy alone, and every
     * acknowledged write ends up on every one of its N replicas." Clients keep using every node, the cut-off one
     * too: its writes fail (it cannot reach W), but it learns from their timeouts that everyone else is down, as
     * the others learn it of the cut-off node; after the heal nothing but anti-entropy talks across the old cut.
     */
    @Test
    void aPartitionedReplicaConvergesByAntiEntropyAlone(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, NO_HINTS, FAST);
        NodeId cutOff = c.id(2);
        sim.network().isolate(cutOff);

        Map<Bytes, SiblingSet> acknowledged = new LinkedHashMap<>();
        List<CompletableFuture<?>> writes = new ArrayList<>();
        int keys = 300;
        for (int i = 0; i < keys; i++) {
            byte[] key = bytes("k" + i);
            byte[] value = bytes("v" + i);
            NodeId via = c.id(i % 5);
            CompletableFuture<?> w = new CompletableFuture<>();
            writes.add(w);
            sim.scheduler().schedule(() -> c.coordinator(via).put(key, VersionVector.empty(), value,
                    QuorumOptions.DEFAULT).whenComplete((result, failure) -> {
                        if (failure == null) {
                            acknowledged.put(Bytes.of(key), result);
                        }
                        w.complete(null);
                    }), i * 20L, TimeUnit.MILLISECONDS);
        }
        c.await(CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])));
        sim.advance(5_000);

        long missed = acknowledged.keySet().stream().filter(k -> c.replicas(k.toArray(), 3).contains(cutOff)).count();
        assertThat(missed).as("acknowledged writes the cut-off replica missed").isGreaterThan(50);
        assertThat(acknowledged).hasSizeGreaterThan(keys * 3 / 4); // all but those sent through the cut-off node
        for (Bytes k : acknowledged.keySet()) {
            assertThat(c.stored(cutOff, k.toArray()).isEmpty()).as("%s on the cut-off node", k).isTrue();
        }
        assertThat(c.totalHints()).as("hints stored").isZero();
        assertThat(c.ids.stream().mapToLong(id -> c.coordinator(id).stats().hintsDropped()).sum())
                .as("hints refused").isPositive();

        sim.network().heal();
        boolean agreed = sim.runUntil(c::treesAgree, 120_000);
        if (!agreed) {
            for (NodeId id : c.ids) {
                System.err.println(id + " " + c.liveness(id) + " " + c.antiEntropy(id).stats());
            }
        }
        assertThat(agreed).as("every partition's replicas agree").isTrue();

        for (Map.Entry<Bytes, SiblingSet> e : acknowledged.entrySet()) {
            byte[] key = e.getKey().toArray();
            Dot dot = ownDot(e.getValue());
            for (NodeId replica : c.replicas(key, 3)) {
                assertThat(c.stored(replica, key).contains(dot)).as("%s's write %s on %s", e.getKey(), dot, replica)
                        .isTrue();
            }
        }
        long moved = 0;
        for (NodeId id : c.ids) {
            assertThat(c.coordinator(id).stats().readRepairs()).as("read repairs by %s", id).isZero();
            moved += c.antiEntropy(id).stats().keysFetched() + c.antiEntropy(id).stats().keysPushed();
        }
        assertThat(moved).as("keys anti-entropy moved").isGreaterThanOrEqualTo(missed);
    }

    /** The dot of the one live sibling a blind write of a new key leaves. */
    static Dot ownDot(SiblingSet written) {
        List<Sibling> live = written.liveSiblings();
        assertThat(live).hasSize(1);
        return live.get(0).dot();
    }
}
