package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.Dot;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Bytes;
import io.chorus.testkit.NetworkConditions;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import io.chorus.testkit.Slowdown;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tombstone collection under faults: keys live for a while (blind and read-modify-write puts, gets), then are
 * deleted for good, while partitions, crashes, drops, duplicates and slow nodes go on in storms with calmer
 * stretches between them (the network healed, a crashed node maybe still down, a slow one maybe still slow), in
 * which collection rounds can complete while replicas that missed a delete, hints and late messages still hold
 * the old values. Each
 * seed draws its hint cap (none, three, the default) and how often hints are replayed (every second, or every
 * 20 s, long enough for a tombstone to be collected meanwhile): hints are where old values hide. After the heal and the
 * replicas' convergence: every acknowledged put not superseded is on all N primaries; no value an acknowledged
 * write overwrote or deleted is back anywhere; and every key left with tombstones only is collected on every
 * replica and stays gone.
 *
 * <p>A collector that ignores pending hints fails here on the first seed (a hint for a primary, pending across the
 * collection, later brings its overwritten value back); the grace and the primaries' hash comparison are not what
 * these runs exercise, since a round follows syncs that just converged.
 *
 * <p>The collector's grace is 5 s, longer than anything stays in flight here (a request's 1 s, the read repair
 * that follows it, a slow node's extra 1.5 s per message): the causal rule, not the grace, is under test.
 */
@Tag(SimulationSeeds.TAG)
class RandomizedTombstoneTest {

    private static final int SEEDS = Math.max(1, Integer.getInteger("chorus.seedCount", 200) / 8);
    private static final int NODES = 5;
    private static final int KEYS = 16;
    private static final int CLIENTS = 3;
    /** Key i lives from i * KEY_STEP for KEY_LIFE, then is deleted; faults last until FAULTS_END. */
    private static final long KEY_STEP = 1_200;
    private static final long KEY_LIFE = 2_500;
    private static final long FAULTS_END = 24_000;
    /** Faults come in storms of STORM ms at the start of every CYCLE ms; the calm between is longer than the grace. */
    private static final long CYCLE = 8_000;
    private static final long STORM = 2_000;
    /**
     * Every pair synced about every second, four at once, each message waiting 1 s for its reply (as the requests
     * do): with the default 10 s a sync to a node just crashed or cut off holds its slot for ten seconds, and a
     * storm leaves little time for anything else.
     */
    private static final AntiEntropyConfig ANTI_ENTROPY = new AntiEntropyConfig(true, 100, 1_000, 4, 1_000, 1_000,
            true, 5_000, 1_024);

    @Test
    void deletedKeysAreCollectedEverywhereAndNeverReturn() {
        long[] purgedUnderFaults = {0};
        long[] purged = {0};
        SimulationSeeds.forEachSeed(SEEDS, seed -> {
            Run run = new Run(seed);
            run.execute();
            purgedUnderFaults[0] += run.purgedAtHeal;
            purged[0] += run.purged();
        });
        if (SEEDS >= 20) {
            assertThat(purged[0]).as("tombstones collected").isGreaterThan(SEEDS * 10L);
            assertThat(purgedUnderFaults[0]).as("tombstones collected while faults went on").isPositive();
        }
    }

    private static final class Run {
        final Simulation sim;
        final Random random;
        final SimCluster cluster;
        final CoordinatorConfig config;
        final long end;
        /** The dot of each acknowledged put, by key. */
        final Map<Bytes, List<Dot>> acknowledgedDots = new HashMap<>();
        /** Every context a write was sent with, by key: what may have superseded an acknowledged put. */
        final Map<Bytes, List<VersionVector>> sentContexts = new HashMap<>();
        /** The contexts of acknowledged writes, by key: nothing they cover may be live anywhere once converged. */
        final Map<Bytes, List<VersionVector>> acknowledgedContexts = new HashMap<>();
        final Map<Bytes, VersionVector> lastRead = new HashMap<>();
        long purgedAtHeal;
        int nextValue;

        Run(long seed) {
            sim = new Simulation(seed);
            random = sim.random();
            sim.network().setConditions(NetworkConditions.DEFAULT.withDropProbability(random.nextDouble() * 0.03)
                    .withDuplicateProbability(random.nextDouble() * 0.05));
            long[] caps = {0, 3, CoordinatorConfig.defaults().maxHints()};
            // Hints replayed every second, or left pending for 20 s: long enough to outlast a collection.
            config = CoordinatorConfig.defaults().withTimeouts(1_000, 300)
                    .withHintLimits(caps[random.nextInt(caps.length)], 6 * 3600_000L)
                    .withHintReplay(random.nextBoolean() ? 1_000 : 20_000, 100);
            cluster = new SimCluster(sim, NODES, config, ANTI_ENTROPY);
            end = sim.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(FAULTS_END);
        }

        void execute() {
            for (int i = 0; i < CLIENTS; i++) {
                sim.scheduler().schedule(this::clientStep, random.nextInt(20), TimeUnit.MILLISECONDS);
            }
            for (int k = 0; k < KEYS; k++) {
                int key = k;
                sim.scheduler().schedule(() -> retire(key, 5), k * KEY_STEP + KEY_LIFE, TimeUnit.MILLISECONDS);
            }
            for (long t = 0; t < FAULTS_END; t += CYCLE) {
                sim.scheduler().schedule(this::nemesis, t + 50, TimeUnit.MILLISECONDS);
                sim.scheduler().schedule(this::calm, t + STORM, TimeUnit.MILLISECONDS);
            }
            sim.advance(FAULTS_END);

            sim.network().heal();
            sim.network().setConditions(NetworkConditions.DEFAULT);
            sim.network().slowNodes().forEach(sim.network()::unslow);
            purgedAtHeal = purged();
            for (NodeId id : cluster.ids) {
                if (cluster.isCrashed(id)) {
                    cluster.restart(id);
                }
            }
            sim.advance(30_000);
            assertThat(cluster.totalHints()).as("hints delivered or dropped").isZero();
            assertThat(sim.runUntil(cluster::treesAgree, 60_000)).as("converged; %s", cluster.describeAe()).isTrue();
            for (int k = 0; k < KEYS; k++) {
                checkAcknowledgedPuts(key(k));
                checkNothingReturned(key(k));
            }
            assertThat(sim.runUntil(this::collected, 60_000)).as("every deleted key collected; %s",
                    cluster.describeAe()).isTrue();
            sim.advance(10_000);
            for (int k = 0; k < KEYS; k++) {
                checkNothingReturned(key(k));
            }
            assertThat(collected()).as("still collected").isTrue();
        }

        long purged() {
            return cluster.ids.stream().mapToLong(id -> cluster.antiEntropy(id).stats().tombstonesPurged()).sum();
        }

        /** Whether every key whose primaries hold only tombstones is gone from every node. */
        boolean collected() {
            for (int k = 0; k < KEYS; k++) {
                byte[] key = key(k);
                boolean deleted = cluster.replicas(key, 3).stream().allMatch(r -> cluster.stored(r, key).isDeleted());
                if (deleted && cluster.ids.stream().anyMatch(id -> !cluster.stored(id, key).isEmpty())) {
                    return false;
                }
            }
            return true;
        }

        void checkAcknowledgedPuts(byte[] key) {
            List<VersionVector> contexts = sentContexts.getOrDefault(Bytes.of(key), List.of());
            for (Dot dot : acknowledgedDots.getOrDefault(Bytes.of(key), List.of())) {
                if (contexts.stream().noneMatch(c -> c.covers(dot))) {
                    for (NodeId r : cluster.replicas(key, 3)) {
                        assertThat(cluster.stored(r, key).contains(dot)).as("acknowledged put %s of %s on %s", dot,
                                Bytes.of(key), r).isTrue();
                    }
                }
            }
        }

        void checkNothingReturned(byte[] key) {
            List<VersionVector> acknowledged = acknowledgedContexts.getOrDefault(Bytes.of(key), List.of());
            for (NodeId id : cluster.ids) {
                for (Sibling s : cluster.stored(id, key).liveSiblings()) {
                    assertThat(acknowledged.stream().noneMatch(c -> c.covers(s.dot())))
                            .as("%s of %s on %s, overwritten or deleted by an acknowledged write, is back", s,
                                    Bytes.of(key), id).isTrue();
                }
            }
        }

        static byte[] key(int k) {
            return bytes("t" + k);
        }

        boolean live(int k) {
            long now = TimeUnit.NANOSECONDS.toMillis(sim.clock().nanoTime());
            return now >= k * KEY_STEP && now < k * KEY_STEP + KEY_LIFE;
        }

        NodeId anyUp() {
            List<NodeId> up = cluster.ids.stream().filter(id -> !cluster.isCrashed(id)).toList();
            return up.get(random.nextInt(up.size()));
        }

        /** One client operation on a live key, then the next after a pause; until the faults end. */
        void clientStep() {
            if (sim.clock().nanoTime() >= end) {
                return;
            }
            List<Integer> live = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                if (live(k)) {
                    live.add(k);
                }
            }
            int roll = random.nextInt(100);
            CompletableFuture<?> op;
            if (live.isEmpty() || roll >= 70) {
                op = get(anyUp(), key(random.nextInt(KEYS)));
            } else {
                byte[] key = key(live.get(random.nextInt(live.size())));
                VersionVector context = roll < 50 ? VersionVector.empty()
                        : lastRead.getOrDefault(Bytes.of(key), VersionVector.empty());
                op = write(anyUp(), key, context, bytes("v" + nextValue++));
            }
            op.whenComplete((v, t) -> sim.scheduler().schedule(this::clientStep, 10 + random.nextInt(20),
                    TimeUnit.MILLISECONDS));
        }

        /** The key's last delete: read it, delete what was read; again on failure, a few times. */
        void retire(int k, int attempts) {
            byte[] key = key(k);
            NodeId via = anyUp();
            get(via, key).thenCompose(read -> read == null ? CompletableFuture.completedFuture(null)
                    : write(via, key, read.context(), null)).whenComplete((done, t) -> {
                        if (done == null && attempts > 1) {
                            sim.scheduler().schedule(() -> retire(k, attempts - 1), 300, TimeUnit.MILLISECONDS);
                        }
                    });
        }

        /** A get; completes with the read (null on failure or when its node crashed since), never fails. */
        CompletableFuture<SiblingSet> get(NodeId via, byte[] key) {
            int incarnation = cluster.incarnation(via);
            return bounded(cluster.coordinator(via).get(key, QuorumOptions.DEFAULT)).thenApply(read -> {
                if (read != null && cluster.incarnation(via) == incarnation) {
                    lastRead.put(Bytes.of(key), read.context());
                    return read;
                }
                return null;
            });
        }

        /** A put, or a delete when {@code value} is null; completes with the result or null, never fails. */
        CompletableFuture<SiblingSet> write(NodeId via, byte[] key, VersionVector context, byte[] value) {
            sentContexts.computeIfAbsent(Bytes.of(key), x -> new ArrayList<>()).add(context);
            int incarnation = cluster.incarnation(via);
            Coordinator c = cluster.coordinator(via);
            CompletableFuture<SiblingSet> f = value == null ? c.delete(key, context, QuorumOptions.DEFAULT)
                    : c.put(key, context, value, QuorumOptions.DEFAULT);
            return bounded(f).thenApply(result -> {
                if (result == null || cluster.incarnation(via) != incarnation) {
                    return null; // failed, or answered by a process that died since: not acknowledged
                }
                acknowledgedContexts.computeIfAbsent(Bytes.of(key), x -> new ArrayList<>()).add(context);
                if (value != null) {
                    Dot dot = result.liveSiblings().stream().filter(s -> Bytes.of(s.value()).equals(Bytes.of(value)))
                            .map(Sibling::dot).findFirst()
                            .orElseThrow(() -> new AssertionError("an acknowledged put lacks its value: " + result));
                    acknowledgedDots.computeIfAbsent(Bytes.of(key), x -> new ArrayList<>()).add(dot);
                }
                lastRead.put(Bytes.of(key), result.context());
                return result;
            });
        }

        /** The request's result, or null when it failed or its node crashed and it never ends (a client gives up). */
        CompletableFuture<SiblingSet> bounded(CompletableFuture<SiblingSet> request) {
            CompletableFuture<SiblingSet> out = new CompletableFuture<>();
            request.whenComplete((r, t) -> out.complete(t == null ? r : null));
            sim.scheduler().schedule(() -> out.complete(null), 3_000, TimeUnit.MILLISECONDS);
            return out;
        }

        /** The end of a storm: the network heals; a crashed node comes back or not, a slow one stays slow. */
        void calm() {
            sim.network().heal();
            if (random.nextBoolean()) {
                cluster.ids.stream().filter(cluster::isCrashed).toList().forEach(cluster::restart);
            }
        }

        /** One fault, and the next one soon while the storm lasts. */
        void nemesis() {
            long inCycle = TimeUnit.NANOSECONDS.toMillis(sim.clock().nanoTime()) % CYCLE;
            if (sim.clock().nanoTime() >= end || inCycle >= STORM) {
                return;
            }
            List<NodeId> down = cluster.ids.stream().filter(cluster::isCrashed).toList();
            switch (random.nextInt(5)) {
                case 0 -> cluster.partitionAtRandom(random);
                case 1 -> sim.network().heal();
                case 2 -> {
                    if (down.isEmpty()) {
                        cluster.crash(anyUp());
                    }
                }
                case 3 -> {
                    if (!down.isEmpty()) {
                        cluster.restart(down.get(0));
                    }
                }
                default -> {
                    NodeId node = cluster.ids.get(random.nextInt(NODES));
                    if (sim.network().slowNodes().isEmpty()) {
                        sim.network().slow(node, Slowdown.both(50, 1_500));
                        sim.scheduler().schedule(() -> sim.network().unslow(node), 200 + random.nextInt(800),
                                TimeUnit.MILLISECONDS);
                    }
                }
            }
            sim.scheduler().schedule(this::nemesis, 200 + random.nextInt(400), TimeUnit.MILLISECONDS);
        }
    }
}
