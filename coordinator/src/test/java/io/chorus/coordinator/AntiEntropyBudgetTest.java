package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "Background budget: with anti-entropy repairing a large divergence, foreground requests keep being served." A
 * node of a 3-node cluster holding 20 000 keys is wiped; anti-entropy rebuilds it within each node's budget of
 * 1000 keys/s while clients read and write through every node, the wiped one too.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class AntiEntropyBudgetTest {

    private static final int KEYS = 20_000;
    private static final long RATE = 1_000;
    /** What a foreground request may take in virtual time: a few round trips of the network's 1-10 ms. */
    private static final long LATENCY_BOUND_MILLIS = 100;
    private static final long SAMPLE_MILLIS = 100;

    @Test
    void foregroundRequestsAreServedWhileAWipedNodeIsRebuiltAtTheBudgetsRate(Simulation sim) {
        CoordinatorConfig config = CoordinatorConfig.defaults()
                .withBudget(BudgetConfig.defaults().withRates(RATE, BudgetConfig.UNLIMITED));
        SimCluster c = new SimCluster(sim, 3, config, AntiEntropyConfig.defaults().withSchedule(100, 1_000, 2)
                .withTombstones(false, 0));
        ActorId writer = new ActorId(c.id(0), c.storage(c.id(0)).epoch());
        for (int i = 0; i < KEYS; i++) {
            byte[] key = key(i);
            SiblingSet state = SiblingSet.empty().update(VersionVector.empty(), writer, value(i), i);
            for (NodeId id : c.ids) {
                c.storage(id).put(c.ring.partitionOf(key), key, state);
            }
        }
        NodeId wiped = c.id(1);
        c.wipe(wiped);
        long start = sim.clock().nanoTime();

        // Every 10 ms a get of a loaded key or a put of a new one, through a random node, each timed.
        Random random = sim.random();
        List<String> violations = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        boolean[] done = {false};
        int[] puts = {0};
        Runnable client = new Runnable() {
            @Override
            public void run() {
                if (done[0]) {
                    return;
                }
                NodeId via = c.id(random.nextInt(3));
                long sent = sim.clock().nanoTime();
                CompletableFuture<SiblingSet> f;
                String expected;
                if (random.nextBoolean()) {
                    int i = random.nextInt(KEYS);
                    expected = "v" + i;
                    f = c.coordinator(via).get(key(i), QuorumOptions.DEFAULT);
                } else {
                    expected = "new" + puts[0]++;
                    f = c.coordinator(via).put(bytes(expected), VersionVector.empty(), bytes(expected),
                            QuorumOptions.DEFAULT);
                }
                f.whenComplete((result, failure) -> {
                    long took = (sim.clock().nanoTime() - sent) / 1_000_000;
                    latencies.add(took);
                    if (failure != null) {
                        violations.add(via + " failed a request for " + expected + ": " + failure);
                    } else if (!liveValues(result).equals(List.of(expected))) {
                        violations.add(via + " answered " + result + " for " + expected);
                    } else if (took > LATENCY_BOUND_MILLIS) {
                        violations.add(via + " took " + took + " ms for " + expected);
                    }
                });
                sim.scheduler().schedule(this, 10, TimeUnit.MILLISECONDS);
            }
        };
        client.run();
        // What each node's anti-entropy moved so far (keys merged here from a peer plus keys merged on a peer).
        List<long[]> samples = new ArrayList<>();
        Runnable sampler = new Runnable() {
            @Override
            public void run() {
                long[] sample = new long[1 + c.ids.size()];
                sample[0] = sim.clock().nanoTime();
                for (int n = 0; n < c.ids.size(); n++) {
                    AntiEntropyStats stats = c.antiEntropy(c.id(n)).stats();
                    sample[1 + n] = stats.keysFetched() + stats.keysPushed();
                }
                samples.add(sample);
                if (!done[0]) {
                    sim.scheduler().schedule(this, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        };
        sampler.run();

        assertThat(sim.runUntil(() -> c.held(wiped).stream()
                .mapToLong(p -> c.storage(wiped).trees().tree(p).keyCount()).sum() >= KEYS && c.treesAgree(),
                120_000)).as("rebuilt; %s", c.describeAe()).isTrue();
        long tookMillis = (sim.clock().nanoTime() - start) / 1_000_000;
        done[0] = true;
        sampler.run();
        sim.advance(1_000);
        for (int p : c.held(wiped)) {
            assertThat(c.contents(wiped, p)).isEqualTo(c.contents(c.id(0), p));
        }

        assertThat(violations).isEmpty();
        assertThat(latencies).hasSizeGreaterThan((int) (tookMillis / 10) - 1);
        // Within the budget: over any stretch T, each node moves at most RATE * T plus one burst (RATE) plus a
        // spend in debt per slot (a page of at most MAX_KEYS).
        long slack = RATE + 2L * PartitionSync.MAX_KEYS;
        for (int n = 0; n < c.ids.size(); n++) {
            for (int i = 0; i < samples.size(); i++) {
                for (int j = i + 1; j < samples.size(); j++) {
                    double seconds = (samples.get(j)[0] - samples.get(i)[0]) / 1e9;
                    long moved = samples.get(j)[1 + n] - samples.get(i)[1 + n];
                    assertThat(moved).as("keys %s moved in %.1f s from %.1f s", c.id(n), seconds,
                            (samples.get(i)[0] - start) / 1e9).isLessThanOrEqualTo((long) (RATE * seconds) + slack);
                }
            }
        }
        // And about at the rate: not faster than the three nodes' budgets allow, and at least half of one node's
        // (each of the three replicas works on the same partitions at about the same time, and a sync from the
        // wiped side also spends on listing segments).
        long floor = (KEYS - 3 * slack) * 1_000 / (3 * RATE);
        long[] last = samples.get(samples.size() - 1);
        assertThat(tookMillis).as("rebuild time in ms (keys moved by the three: %d)", last[1] + last[2] + last[3])
                .isGreaterThan(floor).isLessThan(2 * KEYS * 1_000 / RATE);
    }

    private static byte[] key(int i) {
        return bytes("k" + i);
    }

    private static byte[] value(int i) {
        return bytes("v" + i);
    }
}
