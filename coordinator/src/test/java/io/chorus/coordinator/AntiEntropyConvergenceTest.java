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

        // Each side calls the other down: only anti-entropy's own probes can find out that the cut is gone.
        for (NodeId id : c.ids) {
            if (!id.equals(cutOff)) {
                assertThat(c.liveness(id).isAlive(cutOff)).as("%s calls %s alive", id, cutOff).isFalse();
                assertThat(c.liveness(cutOff).isAlive(id)).as("%s calls %s alive", cutOff, id).isFalse();
            }
        }
        sim.network().heal();
        assertThat(sim.runUntil(c::treesAgree, 120_000)).as("every partition's replicas agree; %s", c.describeAe())
                .isTrue();

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

    /**
     * "A wiped replica is rebuilt completely; its new epoch never lets a new write look old." The wiped node comes
     * back empty with a new epoch; anti-entropy alone rebuilds every key of every partition it holds (values,
     * siblings, tombstones), identical to the other replicas tree by tree and key by key. A blind write it
     * coordinates to a key it held, both before the rebuild reached the key and after, is a new sibling next to the
     * old value on every replica, and a write with the read context then supersedes both.
     */
    @Test
    void aWipedReplicaIsRebuiltAndItsNewEpochNeverMakesANewWriteLookOld(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults(), FAST.withTombstones(false, 0));
        NodeId wiped = c.id(1);
        List<byte[]> writtenByWiped = load(c, 400, wiped);
        assertThat(sim.runUntil(c::treesAgree, 60_000)).as("agree before the wipe; %s", c.describeAe()).isTrue();
        Map<Integer, Map<Bytes, SiblingSet>> before = new LinkedHashMap<>();
        for (int p : c.held(wiped)) {
            before.put(p, c.contents(wiped, p));
        }
        assertThat(before.values().stream().mapToInt(Map::size).sum()).isEqualTo(400);
        long oldEpoch = c.storage(wiped).epoch();

        c.wipe(wiped);
        long newEpoch = c.storage(wiped).epoch();
        assertThat(newEpoch).isNotEqualTo(oldEpoch);
        assertThat(c.held(wiped).stream().mapToInt(p -> c.contents(wiped, p).size()).sum()).isZero();
        // At once, before anti-entropy brought anything back: the wiped node's store knows nothing of this key, so
        // its counter for it starts again, under an actor no replica has seen.
        byte[] early = writtenByWiped.get(0);
        SiblingSet earlyOld = c.stored(c.id(0), early);
        SiblingSet earlyWrite = c.await(c.coordinator(wiped).put(early, VersionVector.empty(), bytes("after-wipe"),
                QuorumOptions.of(3, 0, 3)));
        Dot earlyDot = ownDot(earlyWrite);
        assertThat(earlyDot.actor()).isEqualTo(new io.chorus.core.causal.ActorId(wiped, newEpoch));

        assertThat(sim.runUntil(() -> c.treesAgree() && rebuilt(c, wiped, before, early), 120_000))
                .as("rebuilt; %s", c.describeAe()).isTrue();
        for (int p : c.held(wiped)) {
            Map<Bytes, SiblingSet> mine = c.contents(wiped, p);
            for (NodeId other : c.primaries(p)) {
                assertThat(c.storage(other).trees().tree(p).root()).isEqualTo(c.storage(wiped).trees().tree(p).root());
                assertThat(c.contents(other, p)).as("partition %d on %s", p, other).isEqualTo(mine);
            }
        }
        for (NodeId replica : c.replicas(early, 3)) {
            SiblingSet stored = c.stored(replica, early);
            assertThat(stored.contains(earlyDot)).as("the new write on %s", replica).isTrue();
            assertThat(stored.liveSiblings()).as("next to the old value on %s", replica)
                    .hasSize(earlyOld.liveSiblings().size() + 1);
            assertThat(stored.includes(earlyOld)).isTrue();
        }

        // After the rebuild: a blind write is a sibling, a write with the read context supersedes everything read.
        byte[] late = writtenByWiped.get(1);
        SiblingSet lateOld = c.stored(c.id(0), late);
        Dot lateDot = dotOf(c.await(c.coordinator(wiped).put(late, VersionVector.empty(), bytes("blind"),
                QuorumOptions.of(3, 0, 3))), "blind");
        assertThat(lateDot.actor().epoch()).isEqualTo(newEpoch);
        for (NodeId replica : c.replicas(late, 3)) {
            assertThat(c.stored(replica, late).contains(lateDot)).isTrue();
            assertThat(c.stored(replica, late).includes(lateOld)).as("old value kept on %s", replica).isTrue();
        }
        SiblingSet read = c.await(c.coordinator(c.id(2)).get(late, QuorumOptions.of(3, 3, 0)));
        assertThat(read.liveSiblings()).hasSize(lateOld.liveSiblings().size() + 1);
        c.await(c.coordinator(wiped).put(late, read.context(), bytes("resolved"), QuorumOptions.of(3, 0, 3)));
        for (NodeId replica : c.replicas(late, 3)) {
            assertThat(SimCluster.liveValues(c.stored(replica, late))).as("on %s", replica)
                    .containsExactly("resolved");
        }
    }

    /**
     * The control of the test above: a wiped node that came back under its old epoch (Riak's "doomstone",
     * riak_kv#679) makes its first write to a key it held look old, and the other replicas drop it although it was
     * acknowledged. What the test above would catch.
     */
    @Test
    void aWipedReplicaReusingItsEpochWouldLoseAnAcknowledgedWrite(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults(), FAST.withTombstones(false, 0));
        NodeId wiped = c.id(1);
        byte[] key = bytes("doomed");
        SiblingSet first = c.await(c.coordinator(wiped).put(key, VersionVector.empty(), bytes("v1"),
                QuorumOptions.of(3, 0, 3)));
        c.await(c.coordinator(wiped).put(key, first.context(), bytes("v2"), QuorumOptions.of(3, 0, 3)));

        c.wipe(wiped, c.storage(wiped).epoch());
        SiblingSet acknowledged = c.await(c.coordinator(wiped).put(key, VersionVector.empty(), bytes("v3"),
                QuorumOptions.of(3, 0, 3)));
        assertThat(SimCluster.liveValues(acknowledged)).containsExactly("v3");
        for (NodeId other : List.of(c.id(0), c.id(2))) {
            assertThat(SimCluster.liveValues(c.stored(other, key))).as("on %s", other).containsExactly("v2");
        }
        assertThat(sim.runUntil(c::treesAgree, 60_000)).isTrue();
        assertThat(SimCluster.liveValues(c.stored(wiped, key))).as("lost on the writer too").containsExactly("v2");
    }

    /**
     * "An exchange during a rebuild is deferred, not wrong": a node that forgot its trees (as after a crash of the
     * LMDB engine) answers NOT_READY and defers its own syncs until the agent's paced rebuild has rebuilt each
     * tree; no key moves into or out of a partition whose tree is not ready. Then the syncs converge.
     */
    @Test
    void anExchangeDuringARebuildIsDeferredNotWrong(Simulation sim) {
        CoordinatorConfig slowRebuild = CoordinatorConfig.defaults()
                .withBudget(BudgetConfig.defaults().withRates(200, BudgetConfig.UNLIMITED));
        SimCluster c = new SimCluster(sim, 3, slowRebuild, FAST.withRebuildChunk(20));
        NodeId forgetful = c.id(0);
        NodeId peer = c.id(1);
        io.chorus.core.causal.ActorId actor = new io.chorus.core.causal.ActorId(peer, c.storage(peer).epoch());
        List<byte[]> missingThere = new ArrayList<>();
        List<byte[]> onlyThere = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            byte[] key = bytes("r" + i);
            SiblingSet state = SiblingSet.empty().update(VersionVector.empty(), actor, bytes("v" + i), i);
            for (NodeId id : c.ids) {
                boolean skip = i % 75 == 0 ? id.equals(forgetful) : i % 75 == 1 && !id.equals(forgetful);
                if (!skip) {
                    c.storage(id).put(c.ring.partitionOf(key), key, state);
                }
            }
            (i % 75 == 0 ? missingThere : i % 75 == 1 ? onlyThere : new ArrayList<byte[]>()).add(key);
        }
        c.storage(forgetful).forgetTrees();
        Map<NodeId, Map<Integer, Map<Bytes, SiblingSet>>> initial = new LinkedHashMap<>();
        for (NodeId id : c.ids) {
            Map<Integer, Map<Bytes, SiblingSet>> parts = new LinkedHashMap<>();
            for (int p = 0; p < SimCluster.PARTITIONS; p++) {
                parts.put(p, c.contents(id, p));
            }
            initial.put(id, parts);
        }

        // The last partition is rebuilt last (the agent goes in order), about 20 s from now at 200 keys/s.
        int last = SimCluster.PARTITIONS - 1;
        assertThat(c.await(c.antiEntropy(peer).sync(last, forgetful)).outcome())
                .isEqualTo(SyncReport.Outcome.DEFERRED);
        assertThat(c.await(c.antiEntropy(forgetful).sync(last, peer)).outcome())
                .isEqualTo(SyncReport.Outcome.DEFERRED);
        List<String> violations = new ArrayList<>();
        boolean[] rebuilding = {true};
        Runnable check = new Runnable() {
            @Override
            public void run() {
                for (int p = 0; p < SimCluster.PARTITIONS; p++) {
                    if (!c.storage(forgetful).trees().tree(p).isReady()) {
                        for (NodeId id : c.ids) {
                            if (!c.contents(id, p).equals(initial.get(id).get(p))) {
                                violations.add("partition " + p + " changed on " + id + " while " + forgetful
                                        + "'s tree was not ready, at " + sim);
                            }
                        }
                    }
                }
                if (rebuilding[0]) {
                    sim.scheduler().schedule(this, 50, TimeUnit.MILLISECONDS);
                }
            }
        };
        check.run();
        assertThat(sim.runUntil(() -> c.storage(forgetful).trees().notReady() == 0, 60_000))
                .as("rebuilt; %s", c.describeAe()).isTrue();
        rebuilding[0] = false;
        assertThat(sim.clock().nanoTime()).as("a rebuild paced by the budget").isGreaterThan(10_000_000_000L);
        assertThat(violations).isEmpty();
        AntiEntropyStats forgetfulStats = c.antiEntropy(forgetful).stats();
        assertThat(forgetfulStats.treeRebuilds()).isEqualTo(SimCluster.PARTITIONS);
        assertThat(forgetfulStats.deferred()).as("its own syncs deferred").isGreaterThan(1);
        assertThat(c.antiEntropy(c.id(2)).stats().deferred()).as("syncs with it deferred").isPositive();

        assertThat(sim.runUntil(() -> c.treesAgree()
                && c.antiEntropy(forgetful).stats().lastSyncMillis().size() == SimCluster.PARTITIONS, 60_000))
                .as("converged, its own syncs too; %s", c.describeAe()).isTrue();
        for (byte[] key : missingThere) {
            assertThat(c.stored(forgetful, key).isEmpty()).isFalse();
        }
        for (byte[] key : onlyThere) {
            assertThat(c.stored(peer, key)).isEqualTo(c.stored(forgetful, key));
            assertThat(c.stored(c.id(2), key)).isEqualTo(c.stored(forgetful, key));
        }
    }

    /**
     * After a crash every tree needs a rebuild; the agent starts the next as soon as one ends, not a tick later, and
     * pays the budget for the keys it scanned, not for a whole chunk: Q small trees are ready in well under Q ticks
     * (they took Q ticks before, stalling every sync and handoff of a restarted node for minutes at Q = 256).
     */
    @Test
    void theTreesOfASmallStoreAreRebuiltWithoutATickEach(Simulation sim) {
        AntiEntropyConfig oneSecondTicks = AntiEntropyConfig.defaults().withSchedule(1_000, 60_000, 2);
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults(), oneSecondTicks);
        NodeId forgetful = c.id(0);
        io.chorus.core.causal.ActorId actor = new io.chorus.core.causal.ActorId(forgetful,
                c.storage(forgetful).epoch());
        for (int i = 0; i < 1_000; i++) {
            byte[] key = bytes("small" + i);
            c.storage(forgetful).put(c.ring.partitionOf(key), key,
                    SiblingSet.empty().update(VersionVector.empty(), actor, bytes("v"), i));
        }
        c.storage(forgetful).forgetTrees();
        assertThat(c.storage(forgetful).trees().notReady()).isEqualTo(SimCluster.PARTITIONS);
        long start = sim.clock().nanoTime();
        assertThat(sim.runUntil(() -> c.storage(forgetful).trees().notReady() == 0, 60_000))
                .as("rebuilt; %s", c.describeAe()).isTrue();
        assertThat(sim.clock().nanoTime() - start).as("nanos for %s empty trees", SimCluster.PARTITIONS)
                .isLessThan(TimeUnit.SECONDS.toNanos(SimCluster.PARTITIONS / 8));
    }

    /** Whether {@code wiped} holds again everything it held (the {@code changed} key aside). */
    private static boolean rebuilt(SimCluster c, NodeId wiped, Map<Integer, Map<Bytes, SiblingSet>> before,
            byte[] changed) {
        for (Map.Entry<Integer, Map<Bytes, SiblingSet>> e : before.entrySet()) {
            Map<Bytes, SiblingSet> now = c.contents(wiped, e.getKey());
            if (!now.keySet().equals(e.getValue().keySet())) {
                return false;
            }
            for (Map.Entry<Bytes, SiblingSet> k : e.getValue().entrySet()) {
                if (!k.getKey().equals(Bytes.of(changed)) && !now.get(k.getKey()).equals(k.getValue())) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Writes {@code count} keys through the nodes in turn, every 10th then deleted and every 7th given a concurrent
     * sibling through another node; returns the keys first written through {@code through}.
     */
    static List<byte[]> load(SimCluster c, int count, NodeId through) {
        List<byte[]> mine = new ArrayList<>();
        int size = c.ids.size();
        for (int i = 0; i < count; i++) {
            byte[] key = bytes("w" + i);
            NodeId via = c.id(i % size);
            SiblingSet written = c.await(c.coordinator(via).put(key, VersionVector.empty(), bytes("v" + i),
                    QuorumOptions.DEFAULT));
            if (i % 10 == 3) {
                c.await(c.coordinator(c.id((i + 1) % size)).delete(key, written.context(), QuorumOptions.DEFAULT));
            } else if (i % 7 == 2) {
                c.await(c.coordinator(c.id((i + 1) % size)).put(key, VersionVector.empty(), bytes("s" + i),
                        QuorumOptions.DEFAULT));
            } else if (via.equals(through)) {
                mine.add(key);
            }
        }
        return mine;
    }

    /** The dot of the sibling holding {@code value}. */
    static Dot dotOf(SiblingSet set, String value) {
        return set.liveSiblings().stream().filter(s -> Bytes.of(s.value()).equals(Bytes.utf8(value)))
                .map(Sibling::dot).findFirst().orElseThrow(() -> new AssertionError(value + " not in " + set));
    }

    /** The dot of the one live sibling a blind write of a new key leaves. */
    static Dot ownDot(SiblingSet written) {
        List<Sibling> live = written.liveSiblings();
        assertThat(live).hasSize(1);
        return live.get(0).dot();
    }
}
