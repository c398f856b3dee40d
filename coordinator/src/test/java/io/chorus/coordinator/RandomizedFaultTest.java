package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.Dot;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.testkit.Bytes;
import io.chorus.testkit.History;
import io.chorus.testkit.NetworkConditions;
import io.chorus.testkit.NetworkStats;
import io.chorus.testkit.OpType;
import io.chorus.testkit.Operation;
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
 * Random partitions, message drops and duplicates, slow nodes and node crashes/restarts during a workload of blind
 * puts, read-modify-write puts, deletes and gets, recorded in a {@link History}. After healing and letting hints
 * replay, every acknowledged put's value must be read back at R=N, unless a later write's context covered its dot
 * (it was legitimately overwritten or deleted); every hint must have been delivered; the replicas must converge
 * after the read's repair; and no value an acknowledged write's context covered may be back on any of them.
 *
 * <p>Two variants share the workload and the faults. {@link #acknowledgedWritesSurviveFaults} runs with hints and
 * without periodic anti-entropy: an acknowledged put is then on at least W primaries. The anti-entropy variant
 * ({@link #withFewHintsAntiEntropyPutsEveryAcknowledgedWriteOnEveryReplica}) caps every node's hints at
 * {@value #FEW_HINTS}, so most missed replica writes are never hinted, and runs anti-entropy with tombstone
 * collection, its messages exposed to the same drops, duplicates, slow nodes and crashes: after the heal every
 * partition's trees must agree across its replicas within a bound, and then every acknowledged put not
 * superseded must be on every one of its N primaries, checked in the stores before anything reads them.
 *
 * <p>Each seed draws its own drop and duplicate rates. Duplicates exercise idempotence where it is promised
 * (REPLICA_PUT, HINT_PUT and replay are merges; a duplicated reply is ignored) and the documented non-idempotent
 * FORWARD of a write, which may add a second sibling of the same value: never a lost one, which is all the checks
 * ask. Slow nodes are late, not gone: their extra delay is sometimes under the replica timeout (only reordering),
 * sometimes across it, and sometimes beyond the whole request's timeout, so writes fall back to hints while the
 * slow replica still applies the late REPLICA_PUT, late replies arrive after their request ended, hint replay to a
 * slow owner times out and is retried, and a slow coordinator's own sends reach replicas after newer writes.
 */
@Tag(SimulationSeeds.TAG)
class RandomizedFaultTest {

    /** Seeds per run; the soak profile asks for more with -Dchorus.seedCount. */
    private static final int SEEDS = Integer.getInteger("chorus.seedCount", 200);
    /** Seeds of the anti-entropy variant, a quarter: each of its runs also syncs 64 partitions on five nodes. */
    private static final int AE_SEEDS = Math.max(1, SEEDS / 4);
    /** The anti-entropy variant's hint cap per node: a few hints are stored, most are refused. */
    static final int FEW_HINTS = 3;
    /**
     * Anti-entropy of the variant: every pair synced about every second; tombstones collected after 5 s of
     * stability, longer than any message of these runs stays in flight (a slow node's extra delay is at most 1.5 s).
     */
    private static final AntiEntropyConfig ANTI_ENTROPY = AntiEntropyConfig.defaults().withSchedule(100, 1_000, 2)
            .withTombstones(true, 5_000);
    /** How long, after the settling time, the variant's replicas may take to agree. */
    private static final long CONVERGE_MILLIS = 60_000;
    private static final int NODES = 5;
    private static final int CLIENTS = 4;
    private static final int KEYS = 3;
    private static final long WORKLOAD_MILLIS = 2_000;

    /** Which variant a run is: hints and no periodic anti-entropy, or anti-entropy with hints capped very low. */
    private enum Mode { HINTS, ANTI_ENTROPY }

    @Test
    void acknowledgedWritesSurviveFaults() {
        runSeeds(SEEDS, Mode.HINTS);
    }

    @Test
    void withFewHintsAntiEntropyPutsEveryAcknowledgedWriteOnEveryReplica() {
        runSeeds(AE_SEEDS, Mode.ANTI_ENTROPY);
    }

    private static void runSeeds(int seeds, Mode mode) {
        Tally tally = new Tally();
        SimulationSeeds.forEachSeed(seeds, seed -> tally.add(new Run(seed, mode).execute()));
        // Not per seed: a short run may never send to its slow node, or (with a coordinator slow beyond the client's
        // patience and a partition) acknowledge no write at all. Over many seeds the mix and the writes must happen.
        if (tally.runs >= 20) {
            assertThat(tally.runsWithAcknowledgedPuts).as("runs that acknowledged writes, of %d", tally.runs)
                    .isGreaterThan(tally.runs * 9 / 10);
            assertThat(tally.network.duplicated()).as("duplicated messages").isPositive();
            assertThat(tally.network.slowed()).as("messages slowed").isPositive();
            assertThat(tally.network.timedOut()).as("requests timed out").isPositive();
            assertThat(tally.network.ignored()).as("replies after their request ended").isPositive();
        }
    }

    /** What one run did: its network's counters (up to healing) and how many puts it acknowledged. */
    private record Outcome(NetworkStats network, int acknowledgedPuts) {
    }

    /** The outcomes of all runs, added up. Confined to the test thread. */
    private static final class Tally {
        int runs;
        int runsWithAcknowledgedPuts;
        NetworkStats network = new NetworkStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        void add(Outcome outcome) {
            runs++;
            runsWithAcknowledgedPuts += outcome.acknowledgedPuts() > 0 ? 1 : 0;
            NetworkStats a = network;
            NetworkStats b = outcome.network();
            network = new NetworkStats(a.sent() + b.sent(), a.delivered() + b.delivered(),
                    a.dropped() + b.dropped(), a.duplicated() + b.duplicated(), a.blocked() + b.blocked(),
                    a.lost() + b.lost(), a.refused() + b.refused(), a.ignored() + b.ignored(),
                    a.timedOut() + b.timedOut(), a.slowed() + b.slowed());
        }
    }

    private static final class Run {
        final Simulation sim;
        final SimCluster cluster;
        final Random random;
        final History history;
        final Mode mode;
        final CoordinatorConfig config;
        /** The dot each acknowledged put's value got, by operation id. */
        final Map<Long, Dot> dots = new HashMap<>();
        /** Every context a write was sent with, per key: what may have superseded earlier values. */
        final Map<Bytes, List<VersionVector>> writeContexts = new HashMap<>();
        /** The contexts of acknowledged writes, per key: what no replica may hold a live sibling of once converged. */
        final Map<Bytes, List<VersionVector>> acknowledgedContexts = new HashMap<>();
        /**
         * The first check that failed inside a completion callback: the future would swallow the AssertionError,
         * so it is kept here and rethrown once the run ends, with its own message.
         */
        Throwable violation;
        int nextValue;

        Run(long seed, Mode mode) {
            this.mode = mode;
            CoordinatorConfig base = CoordinatorConfig.defaults().withTimeouts(1_000, 300);
            config = mode == Mode.HINTS ? base : base.withHintLimits(FEW_HINTS, base.maxHintAgeMillis());
            sim = new Simulation(seed);
            random = sim.random();
            sim.network().setConditions(NetworkConditions.DEFAULT.withDropProbability(random.nextDouble() * 0.04)
                    .withDuplicateProbability(0.01 + random.nextDouble() * 0.07));
            cluster = mode == Mode.HINTS ? new SimCluster(sim, NODES, config)
                    : new SimCluster(sim, NODES, config, ANTI_ENTROPY);
            history = new History(sim.clock());
        }

        Outcome execute() {
            long end = sim.clock().nanoTime() + TimeUnit.MILLISECONDS.toNanos(WORKLOAD_MILLIS);
            for (int i = 0; i < CLIENTS; i++) {
                Client client = new Client("c" + i, end);
                sim.scheduler().schedule(client::next, random.nextInt(20), TimeUnit.MILLISECONDS);
            }
            sim.scheduler().schedule(() -> nemesis(end), 50, TimeUnit.MILLISECONDS);
            sim.scheduler().schedule(() -> slowdowns(end), random.nextInt(200), TimeUnit.MILLISECONDS);
            sim.advance(WORKLOAD_MILLIS);

            sim.network().heal();
            sim.network().setConditions(NetworkConditions.DEFAULT);
            sim.network().slowNodes().forEach(sim.network()::unslow);
            for (NodeId id : cluster.ids) {
                if (cluster.isCrashed(id)) {
                    cluster.restart(id);
                }
            }
            // Long enough for every client to give up or finish and for hints to reach their owners.
            sim.advance(20_000);
            if (violation != null) {
                throw new AssertionError("a completed request broke an invariant", violation);
            }
            assertThat(history.withStatus(Operation.Status.PENDING)).isEmpty();
            assertThat(cluster.totalHints()).as("every hint delivered").isZero();
            if (mode == Mode.ANTI_ENTROPY) {
                assertThat(sim.runUntil(cluster::treesAgree, CONVERGE_MILLIS))
                        .as("every partition's replicas agree; %s", cluster.describeAe()).isTrue();
            }
            // Taken before the checks, whose reads and repairs run on a healed network.
            NetworkStats stats = sim.network().stats();
            for (int k = 0; k < KEYS; k++) {
                check(key(k));
            }
            return new Outcome(stats, history.acknowledgedPuts().size());
        }

        void check(byte[] key) {
            List<VersionVector> contexts = writeContexts.getOrDefault(Bytes.of(key), List.of());
            // Before any read repairs: acknowledged means on W nodes, so once hints are delivered, on W primaries;
            // with anti-entropy converged, on all N.
            for (Operation put : history.acknowledgedPuts()) {
                Dot dot = dots.get(put.id());
                if (put.key().equals(Bytes.of(key)) && contexts.stream().noneMatch(c -> c.covers(dot))) {
                    long holders = cluster.replicas(key, 3).stream()
                            .filter(r -> cluster.stored(r, key).contains(dot)).count();
                    assertThat(holders).as("primaries holding acknowledged put %s", dot)
                            .isGreaterThanOrEqualTo(mode == Mode.HINTS ? config.w() : 3);
                }
            }
            NodeId reader = cluster.ids.get(random.nextInt(NODES));
            SiblingSet read = cluster.await(cluster.coordinator(reader).get(key, QuorumOptions.of(3, 3, 0)));
            Set<Bytes> values = new HashSet<>();
            for (Sibling s : read.liveSiblings()) {
                values.add(Bytes.of(s.value()));
            }
            for (Operation put : history.acknowledgedPuts()) {
                if (!put.key().equals(Bytes.of(key))) {
                    continue;
                }
                Dot dot = dots.get(put.id());
                boolean superseded = contexts.stream().anyMatch(c -> c.covers(dot));
                if (!superseded) {
                    assertThat(values).as("acknowledged put %s (dot %s) in %s", put.value().get(), dot, read)
                            .contains(put.value().get());
                }
            }
            sim.advance(1_000);
            List<VersionVector> acknowledged = acknowledgedContexts.getOrDefault(Bytes.of(key), List.of());
            for (NodeId replica : cluster.replicas(key, 3)) {
                SiblingSet stored = cluster.stored(replica, key);
                // A deleted key may be collected in the second after the read: then it is gone, not stale.
                boolean collected = mode == Mode.ANTI_ENTROPY && read.isDeleted() && stored.isEmpty()
                        && cluster.ids.stream().mapToLong(id -> cluster.antiEntropy(id).stats().tombstonesPurged())
                                .sum() > 0;
                assertThat(stored.includes(read) || collected).as("repaired %s: stored %s, read %s", replica, stored,
                        read).isTrue();
                // Once a replica includes the merged read, whatever an acknowledged write overwrote or deleted is
                // gone from it for good: a live sibling of such a dot came back (a tombstone collected too early).
                for (Sibling s : stored.liveSiblings()) {
                    assertThat(acknowledged.stream().noneMatch(c -> c.covers(s.dot())))
                            .as("%s on %s, overwritten or deleted by an acknowledged write, is back", s, replica)
                            .isTrue();
                }
            }
        }

        void nemesis(long end) {
            if (sim.clock().nanoTime() >= end) {
                return;
            }
            List<NodeId> up = cluster.ids.stream().filter(id -> !cluster.isCrashed(id)).toList();
            List<NodeId> down = cluster.ids.stream().filter(cluster::isCrashed).toList();
            switch (random.nextInt(4)) {
                case 0 -> cluster.partitionAtRandom(random);
                case 1 -> sim.network().heal();
                case 2 -> {
                    if (down.size() < 2) {
                        cluster.crash(up.get(random.nextInt(up.size())));
                    }
                }
                default -> {
                    if (!down.isEmpty()) {
                        cluster.restart(down.get(random.nextInt(down.size())));
                    }
                }
            }
            sim.scheduler().schedule(() -> nemesis(end), 100 + random.nextInt(300), TimeUnit.MILLISECONDS);
        }

        /**
         * One node at a time is slow for a while, then none for a while. The extra delay is seeded from one of three
         * bands around the coordinator's timeouts (replica 300 ms, request 1000 ms): under the replica timeout, across
         * it, and beyond it up to past the request's deadline; in, out or both ways.
         */
        void slowdowns(long end) {
            if (sim.clock().nanoTime() >= end) {
                return;
            }
            NodeId node = cluster.ids.get(random.nextInt(NODES));
            long[] band = switch (random.nextInt(3)) {
                case 0 -> new long[] {20, 200};
                case 1 -> new long[] {150, 450};
                default -> new long[] {400, 1_500};
            };
            Slowdown slowdown = switch (random.nextInt(3)) {
                case 0 -> Slowdown.inbound(band[0], band[1]);
                case 1 -> Slowdown.outbound(band[0], band[1]);
                default -> Slowdown.both(band[0], band[1]);
            };
            sim.network().slow(node, slowdown);
            sim.scheduler().schedule(() -> {
                sim.network().unslow(node);
                sim.scheduler().schedule(() -> slowdowns(end), random.nextInt(300), TimeUnit.MILLISECONDS);
            }, 100 + random.nextInt(700), TimeUnit.MILLISECONDS);
        }

        static byte[] key(int k) {
            return bytes("key-" + k);
        }

        /** One client: operations one at a time, each through a random live node, given up after a while. */
        final class Client {
            final String name;
            final long end;
            final Map<Bytes, VersionVector> lastRead = new HashMap<>();

            Client(String name, long end) {
                this.name = name;
                this.end = end;
            }

            void next() {
                if (sim.clock().nanoTime() >= end) {
                    return;
                }
                List<NodeId> up = cluster.ids.stream().filter(id -> !cluster.isCrashed(id)).toList();
                NodeId via = up.get(random.nextInt(up.size()));
                byte[] key = key(random.nextInt(KEYS));
                VersionVector context = lastRead.getOrDefault(Bytes.of(key), VersionVector.empty());
                int roll = random.nextInt(100);
                Coordinator coordinator = cluster.coordinator(via);
                long op;
                CompletableFuture<SiblingSet> f;
                byte[] value = null;
                if (roll < 60) {
                    value = bytes(name + "-" + nextValue++);
                    op = history.invoke(name, OpType.PUT, key, value, null);
                    context = VersionVector.empty();
                    f = coordinator.put(key, context, value, QuorumOptions.DEFAULT);
                } else if (roll < 68) {
                    value = bytes(name + "-" + nextValue++);
                    op = history.invoke(name, OpType.PUT, key, value, CausalCodec.encodeContext(context));
                    f = coordinator.put(key, context, value, QuorumOptions.DEFAULT);
                } else if (roll < 73) {
                    op = history.invoke(name, OpType.DELETE, key, null, CausalCodec.encodeContext(context));
                    f = coordinator.delete(key, context, QuorumOptions.DEFAULT);
                } else {
                    op = history.invoke(name, OpType.GET, key, null, null);
                    context = null;
                    f = coordinator.get(key, QuorumOptions.DEFAULT);
                }
                if (context != null) {
                    writeContexts.computeIfAbsent(Bytes.of(key), k -> new ArrayList<>()).add(context);
                }
                int incarnation = cluster.incarnation(via);
                boolean[] ended = {false};
                byte[] written = value;
                VersionVector sentContext = context;
                f.whenComplete((result, failure) -> {
                    // A result from a process that crashed since is a dead process's: the client never sees it.
                    if (ended[0] || cluster.incarnation(via) != incarnation) {
                        return;
                    }
                    ended[0] = true;
                    try {
                        record(op, key, written, sentContext, result, failure);
                    } catch (Throwable broken) {
                        if (violation == null) {
                            violation = broken;
                        }
                    }
                    thinkThenNext();
                });
                long giveUp = config.requestTimeoutMillis() + config.forwardSlackMillis() + 1_000;
                sim.scheduler().schedule(() -> {
                    if (!ended[0]) {
                        ended[0] = true;
                        history.info(op, "client gave up");
                        thinkThenNext();
                    }
                }, giveUp, TimeUnit.MILLISECONDS);
            }

            void record(long op, byte[] key, byte[] written, VersionVector context, SiblingSet result,
                    Throwable failure) {
                if (failure != null) {
                    ErrorCode code = NodeServices.codeOf(failure);
                    assertThat(code).as("%s", failure).isNotIn(ErrorCode.BAD_REQUEST, ErrorCode.INTERNAL,
                            ErrorCode.CORRUPT);
                    history.info(op, String.valueOf(failure));
                    return;
                }
                List<byte[]> values = result.liveSiblings().stream().map(Sibling::value).toList();
                history.ok(op, values, CausalCodec.encodeContext(result.context()));
                lastRead.put(Bytes.of(key), result.context());
                if (context != null) {
                    acknowledgedContexts.computeIfAbsent(Bytes.of(key), k -> new ArrayList<>()).add(context);
                }
                if (written != null) {
                    Dot dot = result.siblings().stream()
                            .filter(s -> !s.isTombstone() && Bytes.of(s.value()).equals(Bytes.of(written)))
                            .map(Sibling::dot).findFirst().orElseThrow(() -> new AssertionError(
                                    "an acknowledged put's result lacks its own value: " + result));
                    dots.put(op, dot);
                }
            }

            void thinkThenNext() {
                sim.scheduler().schedule(this::next, random.nextInt(30), TimeUnit.MILLISECONDS);
            }
        }
    }

}
