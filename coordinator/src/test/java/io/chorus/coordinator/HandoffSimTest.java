package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.testkit.Bytes;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ring changes under a workload, with anti-entropy's schedule out of the way (handoff alone moves data): two
 * nodes join a loaded four-node cluster at once (one of them crashes while
 * receiving and restarts), one leaves, a dead one is removed. Afterwards every acknowledged write is on each of
 * its replicas and nowhere else, loads differ by at most one, each change moved about Q/S partitions, and no read
 * of an acknowledged write during the changes missed it.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class HandoffSimTest {

    private static final int Q = SimCluster.PARTITIONS;
    private static final long CHANGE_WITHIN_MILLIS = 300_000;

    private final Map<Bytes, String> acked = new HashMap<>();
    private final List<String> misses = new ArrayList<>();
    private boolean writing = true;
    private int written;

    @Test
    void joinsLeaveAndRemoveUnderLoadLoseNoAcknowledgedWrite(Simulation sim) {
        SimCluster c = new SimCluster(sim, 6, CoordinatorConfig.defaults(),
                AntiEntropyConfig.defaults().withSchedule(1_000, TimeUnit.HOURS.toMillis(10), 1));
        Ring three = Claim.create(List.of(Member.of("n1"), Member.of("n2"), Member.of("n3")), Q);
        c.setRingState(RingState.of(three));
        SimMembership m = new SimMembership(c, true);
        c.enableHandoff(m::forNode, new HandoffConfig(1_000, 2_000, 2, 5_000));
        Random random = new Random(sim.seed());
        scheduleWrite(c, random);
        sim.advance(5_000);

        // A 4th and a 5th node join the loaded 3-node cluster at once: one commit. n5 crashes while it receives.
        m.join(c.id(3));
        m.join(c.id(4));
        assertThat(sim.runUntil(() -> !c.ringState().settled(), 30_000)).as("joins committed").isTrue();
        assertThat(c.ringState().to().size()).isEqualTo(5);
        assertThat(sim.runUntil(() -> c.handoff(c.id(4)).stats().partitionsReceived() >= 2, 60_000)).isTrue();
        c.crash(c.id(4));
        sim.advance(10_000);
        c.restart(c.id(4));
        settle(c, m, "two joins");

        m.leave(c.id(0));
        settle(c, m, "leave of n1");
        assertThat(c.ringState().removed()).contains(c.id(0));
        c.crash(c.id(0)); // a node that left stops

        c.crash(c.id(1));
        sim.advance(30_000);
        m.remove(c.id(1), c.id(2));
        settle(c, m, "removal of n2");

        // And one more join, so that the end has a replica set smaller than the cluster.
        m.join(c.id(5));
        settle(c, m, "join of n6");

        writing = false;
        // Hints and strays finish; anti-entropy's own schedule is far off, so what is in place is handoff's work.
        sim.advance(60_000);
        RingState end = c.ringState();
        assertThat(end.settled()).isTrue();
        assertThat(end.to().members()).extracting(Member::id).containsExactly(c.id(2), c.id(3), c.id(4), c.id(5));
        assertThat(misses).as("reads that missed an acknowledged write").isEmpty();
        assertThat(written).isGreaterThan(100);
        checkPlacement(c, end);
        checkMoves(m, three, 4);
    }

    /**
     * Two claimants raced: the cluster first follows a ring state adding n5 and moves data to it, then a
     * superseding one of the same version (the lower-named author's) that adds n6 instead. Nothing acknowledged is
     * lost: n5, no replica in the winning ring, hands its stray copies to the replicas and drops them.
     */
    @Test
    void theLosingRingOfAClaimantRaceLosesNoWrite(Simulation sim) {
        SimCluster c = new SimCluster(sim, 6, CoordinatorConfig.defaults(),
                AntiEntropyConfig.defaults().withSchedule(1_000, TimeUnit.HOURS.toMillis(10), 1));
        Ring four = Claim.create(List.of(Member.of("n1"), Member.of("n2"), Member.of("n3"), Member.of("n4")), Q);
        RingState base = RingState.of(four);
        c.setRingState(base);
        SimMembership m = new SimMembership(c, false);
        c.enableHandoff(m::forNode, new HandoffConfig(1_000, 2_000, 2, 5_000));
        Random random = new Random(sim.seed());
        scheduleWrite(c, random);
        sim.advance(5_000);
        RingState loser = base.commit(NodeId.of("n2"), 3, Claim.join(four, Member.of("n5")), List.of());
        RingState winner = base.commit(NodeId.of("n1"), 3, Claim.join(four, Member.of("n6")), List.of());
        assertThat(winner.supersedes(loser)).isTrue();
        c.setRingState(loser);
        assertThat(sim.runUntil(() -> c.handoff(c.id(4)).stats().partitionsReceived() >= 4, 60_000))
                .as("n5 received partitions of the losing ring").isTrue();
        m.join(c.id(5)); // n6 is joining in the winner's view, so its claimant would settle it
        c.setRingState(winner);
        assertThat(sim.runUntil(() -> c.ringState().settled(), CHANGE_WITHIN_MILLIS)).as("%s", c.ringState())
                .isTrue();
        writing = false;
        sim.advance(60_000);
        assertThat(c.handoff(c.id(4)).stats().straysDropped()).as("n5 handed its copies off").isPositive();
        assertThat(misses).isEmpty();
        checkPlacement(c, c.ringState());
    }

    private void settle(SimCluster c, SimMembership m, String what) {
        assertThat(c.sim.runUntil(() -> !c.ringState().settled(), 30_000)).as("%s committed", what).isTrue();
        assertThat(c.sim.runUntil(() -> c.ringState().settled(), CHANGE_WITHIN_MILLIS))
                .as("%s settled: %s", what, c.ringState()).isTrue();
    }

    /** A write of a fresh key every 20 ms through a random live node, and a read of an acknowledged one. */
    private void scheduleWrite(SimCluster c, Random random) {
        if (!writing) {
            return;
        }
        List<NodeId> live = c.ids.stream().filter(id -> !c.isCrashed(id)).toList();
        NodeId via = live.get(random.nextInt(live.size()));
        String key = "k" + written++;
        String value = "v" + key;
        c.coordinator(via).put(bytes(key), VersionVector.empty(), bytes(value), QuorumOptions.DEFAULT)
                .whenComplete((s, e) -> {
                    if (e == null) {
                        acked.put(Bytes.of(bytes(key)), value);
                    }
                });
        if (!acked.isEmpty() && random.nextInt(4) == 0) {
            List<Bytes> keys = new ArrayList<>(acked.keySet());
            Bytes k = keys.get(random.nextInt(keys.size()));
            String expected = acked.get(k);
            c.coordinator(live.get(random.nextInt(live.size()))).get(k.toArray(), QuorumOptions.DEFAULT)
                    .whenComplete((s, e) -> {
                        if (e == null && !liveValues(s).contains(expected)) {
                            misses.add(k + " at " + c.sim.clock().nanoTime() / 1_000_000 + " ms: " + liveValues(s));
                        }
                    });
        }
        c.sim.scheduler().schedule(() -> scheduleWrite(c, random), 20, TimeUnit.MILLISECONDS);
    }

    /** Every acknowledged key on each of its replicas, and no node holding a partition it is no replica of. */
    private void checkPlacement(SimCluster c, RingState end) {
        Map<NodeId, Map<Integer, Map<Bytes, SiblingSet>>> held = new HashMap<>();
        for (NodeId id : c.ids.stream().filter(id -> !c.isCrashed(id)).toList()) {
            for (int p = 0; p < Q; p++) {
                Map<Bytes, SiblingSet> contents = c.contents(id, p);
                if (!end.replicasIn(end.to(), p).contains(id)) {
                    assertThat(contents).as("%s holds partition %d it is no replica of", id, p).isEmpty();
                }
                held.computeIfAbsent(id, x -> new HashMap<>()).put(p, contents);
            }
        }
        int missing = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<Bytes, String> e : acked.entrySet()) {
            int p = end.to().partitionOf(e.getKey().toArray());
            for (NodeId r : end.replicasIn(end.to(), p)) {
                SiblingSet s = held.containsKey(r) ? held.get(r).get(p).get(e.getKey()) : null;
                if (s == null || !liveValues(s).contains(e.getValue())) {
                    missing++;
                    if (examples.size() < 5) {
                        examples.add(e.getKey() + " on " + r);
                    }
                }
            }
        }
        assertThat(missing).as("acknowledged writes missing from a replica, e.g. %s (of %d acked)", examples,
                acked.size()).isZero();
    }

    /** Loads within one, and each change moved about Q/S owners: exactly what balance forces, give or take one. */
    private static void checkMoves(SimMembership m, Ring initial, int changes) {
        assertThat(m.commits).hasSize(changes);
        Ring before = initial;
        for (RingState commit : m.commits) {
            Ring after = commit.to();
            int moved = 0;
            for (int p = 0; p < Q; p++) {
                if (!before.owner(p).equals(after.owner(p))) {
                    moved++;
                }
            }
            int[] loads = after.members().stream().mapToInt(x -> after.load(x.id())).toArray();
            assertThat(java.util.Arrays.stream(loads).max().getAsInt()
                    - java.util.Arrays.stream(loads).min().getAsInt()).as("loads of %s", after).isLessThanOrEqualTo(1);
            int expected = Math.abs(after.size() - before.size()) * Q / Math.max(after.size(), before.size());
            assertThat(moved).as("owners moved from %s to %s", before, after).isBetween(expected - 2, expected + 2);
            before = after;
        }
    }
}
