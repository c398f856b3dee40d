package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.client.ChorusObject;
import io.chorus.client.RequestOptions;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.Dot;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.ring.Ring;
import io.chorus.storage.Durability;
import io.chorus.testkit.Bytes;
import io.chorus.testkit.History;
import io.chorus.testkit.OpType;
import io.chorus.testkit.Operation;
import io.chorus.testkit.SimulationSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RandomizedFaultTest} on real nodes: an {@link EmbeddedCluster} of four nodes (Netty on loopback, LMDB in a
 * temporary directory, real threads) while a seeded {@link FaultSchedule} stops and restarts nodes, up to two at a
 * time, under a workload of blind puts, read-modify-write puts, deletes and gets from three concurrent clients (the
 * Java client, one each, asynchronous), recorded in a {@link History}. Then every node is started again and, once
 * no hint is left anywhere: every acknowledged put that no later write's context covered is held by W primaries and
 * is read back at R = N, and the three replicas of each key converge to exactly what that read returned.
 *
 * <p>The seed fixes the fault schedule and each client's choices of operation, key and value; the threads decide
 * the interleaving, so a failure names the seed and prints the faults as applied and the failing key's history.
 * Several seeds per run; {@code -Psoak} runs many more.
 */
@Tag(SimulationSeeds.TAG)
class EmbeddedClusterFaultTest {

    /** Seeds per run, about 5 s each; the soak profile asks for more with -Dchorus.seedCount. */
    private static final int SEEDS = Integer.getInteger("chorus.seedCount", 4);
    private static final int NODES = 4;
    private static final int MAX_DOWN = 2;
    private static final int CLIENTS = 3;
    private static final int KEYS = 4;
    private static final int N = 3;
    private static final int W = 2;
    private static final long WORKLOAD_MILLIS = 3_000;
    /** Short timeouts and a quick hint replay, so a run's faults and its healing fit in seconds. */
    private static final CoordinatorConfig CONFIG = CoordinatorConfig.defaults().withQuorum(N, 2, W)
            .withTimeouts(1_000, 300).withHintReplay(100, 100);
    private static final RequestOptions OPTIONS = RequestOptions.defaults().withTimeoutMillis(1_000);
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveNodesStoppedAndRestarted() {
        SimulationSeeds.forEachSeed(SEEDS, seed -> {
            try (Run run = new Run(seed, dir.resolve(Long.toHexString(seed)))) {
                run.execute();
            }
        });
    }

    private static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    /** One seed's cluster, clients and record. */
    private static final class Run implements AutoCloseable {
        final long seed;
        final EmbeddedCluster cluster;
        /** Runs the clients' callbacks and think times: one thread, so a client's steps never overlap. */
        final ScheduledExecutorService workload = Executors.newSingleThreadScheduledExecutor();
        /** Applies the fault schedule: stops and restarts block for a while, off the clients' thread. */
        final ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor();
        final List<ChorusClient> clients = new ArrayList<>();
        /** Real time, the same for the history and the report, which both count from {@link #startNanos}. */
        final Clock clock = Clock.system();
        final History history = new History(clock);
        /** When the workload and the fault schedule started: the zero of the report's times. */
        long startNanos;
        /** The dot each acknowledged put's value got, by operation id. */
        final Map<Long, Dot> dots = new ConcurrentHashMap<>();
        /** Every context a write was sent with, per key: what may have superseded earlier values. */
        final Map<Bytes, Queue<VersionVector>> writeContexts = new ConcurrentHashMap<>();
        /** For the failure report: the context each write sent and what each successful operation returned. */
        final Map<Long, String> notes = new ConcurrentHashMap<>();
        final Queue<String> faultLog = new ConcurrentLinkedQueue<>();
        /** The first check that failed in a callback, where the future would swallow it. */
        final AtomicReference<Throwable> violation = new AtomicReference<>();
        final AtomicInteger clientsRunning = new AtomicInteger(CLIENTS);

        Run(long seed, Path dataDir) {
            this.seed = seed;
            cluster = EmbeddedCluster.builder().nodes(NODES).dataDir(dataDir).durability(Durability.NOSYNC)
                    .coordinator(CONFIG).start();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(ChorusClient.connect(ClientConfig.builder(cluster.addresses()).clientName("c" + i)
                            .callbackExecutor(workload).downBackoffMillis(200).build()));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        void execute() {
            startNanos = clock.nanoTime();
            FaultSchedule schedule = FaultSchedule.random(new Random(seed), NODES, MAX_DOWN, WORKLOAD_MILLIS - 200);
            for (FaultSchedule.Fault fault : schedule.faults()) {
                faults.schedule(() -> apply(fault), fault.atMillis(), TimeUnit.MILLISECONDS);
            }
            long end = startNanos + TimeUnit.MILLISECONDS.toNanos(WORKLOAD_MILLIS);
            for (int i = 0; i < CLIENTS; i++) {
                Worker worker = new Worker("c" + i, clients.get(i), new Random(seed + (i + 1) * GOLDEN_GAMMA), end);
                workload.execute(worker::next);
            }
            expect(() -> {
                // A client's request ends by the node's answer or the client's own deadline (timeout plus grace).
                await("every client's last operation ended").atMost(Duration.ofSeconds(30))
                        .until(() -> clientsRunning.get() == 0);
                faults.shutdown();
                await("the fault schedule applied").atMost(Duration.ofSeconds(30)).until(faults::isTerminated);
                for (int i = 0; i < NODES; i++) {
                    if (!cluster.node(i).isRunning()) {
                        faultLog.add(elapsed() + ": heal, restart node " + i);
                        cluster.restart(i);
                    }
                }
                if (violation.get() != null) {
                    throw new AssertionError("a completed request or a fault broke an invariant", violation.get());
                }
                assertThat(history.withStatus(Operation.Status.PENDING)).isEmpty();
                assertThat(history.acknowledgedPuts()).as("the workload acknowledged writes").isNotEmpty();
                // Zero for longer than a write's deadline: no write still trying fallbacks can add one after.
                await("every hint delivered").atMost(Duration.ofSeconds(30)).during(Duration.ofMillis(1_200))
                        .until(() -> hintsHeld() == 0);
            }, null);
            for (int k = 0; k < KEYS; k++) {
                byte[] key = key(k);
                expect(() -> check(key), key);
            }
        }

        void apply(FaultSchedule.Fault fault) {
            faultLog.add(elapsed() + ": " + fault);
            try {
                if (fault.stop() && fault.graceful()) {
                    cluster.stopGracefully(fault.node());
                } else if (fault.stop()) {
                    cluster.crash(fault.node());
                } else {
                    cluster.restart(fault.node());
                }
            } catch (RuntimeException e) {
                // The executor would swallow it; a node that cannot stop or start again fails the run.
                violation.compareAndSet(null, e);
            }
        }

        long hintsHeld() {
            return cluster.nodes().stream().mapToLong(n -> n.storage().area("hints").count()).sum();
        }

        void check(byte[] key) {
            Ring ring = cluster.node(0).ring();
            List<NodeId> replicas = ring.preferenceList(key, N);
            List<VersionVector> contexts = List.copyOf(writeContexts.getOrDefault(Bytes.of(key),
                    new ConcurrentLinkedQueue<>()));
            List<Operation> live = history.acknowledgedPuts().stream().filter(op -> op.key().equals(Bytes.of(key)))
                    .filter(op -> contexts.stream().noneMatch(c -> c.covers(dots.get(op.id())))).toList();
            // Before the read repairs: acknowledged means on W nodes, so once hints are delivered, on W primaries.
            for (Operation put : live) {
                long holders = replicas.stream().filter(r -> stored(r, key).contains(dots.get(put.id()))).count();
                assertThat(holders).as("primaries holding acknowledged put #%d (dot %s)", put.id(),
                        dots.get(put.id())).isGreaterThanOrEqualTo(W);
            }
            ChorusNode via = cluster.node(new Random(seed ^ Bytes.of(key).hashCode()).nextInt(NODES));
            SiblingSet read = via.coordinator().get(key, QuorumOptions.of(N, N, 0)).orTimeout(10, TimeUnit.SECONDS)
                    .join();
            Set<Bytes> values = new HashSet<>();
            read.liveSiblings().forEach(s -> values.add(Bytes.of(s.value())));
            for (Operation put : live) {
                assertThat(values).as("acknowledged put #%d %s (dot %s) read at R = N: %s", put.id(),
                        put.value().get(), dots.get(put.id()), read).contains(put.value().get());
            }
            // The read saw all N replicas, so its repair leaves each holding exactly what it returned.
            await("the replicas converge on the read").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (NodeId replica : replicas) {
                    assertThat(stored(replica, key)).as("stored on %s", replica).isEqualTo(read);
                }
            });
        }

        SiblingSet stored(NodeId id, byte[] key) {
            ChorusNode node = cluster.node(cluster.ids().indexOf(id));
            return node.storage().get(node.ring().partitionOf(key), key);
        }

        /** Runs {@code body}; a failure gets the seed's faults and, for a key, its history and replicas. */
        void expect(Runnable body, byte[] key) {
            try {
                body.run();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + report(key), e);
            }
        }

        String report(byte[] key) {
            StringBuilder out = new StringBuilder("seed ").append(seed).append(", faults as applied:\n");
            faultLog.forEach(line -> out.append("  ").append(line).append('\n'));
            List<Operation> ops = key == null ? history.withStatus(Operation.Status.PENDING)
                    : history.forKey(key);
            out.append(key == null ? "pending operations" : "history of " + Bytes.of(key)).append(" (")
                    .append(ops.size()).append(" operations, the last 200 shown):\n");
            for (Operation op : ops.subList(Math.max(0, ops.size() - 200), ops.size())) {
                out.append("  ").append(describe(op)).append('\n');
            }
            if (key != null) {
                for (NodeId replica : cluster.node(0).ring().preferenceList(key, N)) {
                    out.append("  stored on ").append(replica).append(": ").append(stored(replica, key)).append('\n');
                }
            }
            return out.toString();
        }

        String describe(Operation op) {
            long done = op.completedNanos() == Long.MAX_VALUE ? -1 : millisSinceStart(op.completedNanos());
            return "#" + op.id() + " " + op.client() + " " + op.type() + op.value().map(v -> " " + v).orElse("")
                    + " +" + millisSinceStart(op.invokedNanos()) + ".." + done + " ms " + op.status()
                    + (dots.containsKey(op.id()) ? " dot " + dots.get(op.id()) : "")
                    + " " + notes.getOrDefault(op.id(), "") + op.error().map(e -> " " + e).orElse("");
        }

        long millisSinceStart(long nanos) {
            return TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
        }

        String elapsed() {
            return "+" + millisSinceStart(clock.nanoTime()) + " ms";
        }

        @Override
        public void close() {
            workload.shutdownNow();
            faults.shutdownNow();
            clients.forEach(ChorusClient::close);
            cluster.close();
        }

        /** One client: one operation at a time, its choices drawn from its own seeded random. */
        final class Worker {
            final String name;
            final ChorusClient client;
            final Random random;
            final long end;
            final Map<Bytes, VersionVector> lastRead = new HashMap<>();
            int nextValue;

            Worker(String name, ChorusClient client, Random random, long end) {
                this.name = name;
                this.client = client;
                this.random = random;
                this.end = end;
            }

            void next() {
                if (clock.nanoTime() >= end) {
                    clientsRunning.decrementAndGet();
                    return;
                }
                byte[] key = key(random.nextInt(KEYS));
                VersionVector context = lastRead.getOrDefault(Bytes.of(key), VersionVector.empty());
                int roll = random.nextInt(100);
                byte[] value = roll < 60 ? (name + "-" + nextValue++).getBytes(StandardCharsets.UTF_8) : null;
                long op;
                CompletableFuture<?> f;
                // Blind puts add siblings that only a later context removes. Kept to a quarter, so that under a
                // stale coordinator's writes a key stays well under the storage's 100-sibling limit: a replica
                // refuses a merge past it, which stalls hint replay (reported apart from this test).
                if (roll < 25) {
                    context = VersionVector.empty();
                    op = history.invoke(name, OpType.PUT, key, value, null);
                    f = client.putAsync(key, value, null, OPTIONS);
                } else if (roll < 60) {
                    op = history.invoke(name, OpType.PUT, key, value, CausalCodec.encodeContext(context));
                    f = client.putAsync(key, value, context, OPTIONS);
                } else if (roll < 70) {
                    op = history.invoke(name, OpType.DELETE, key, null, CausalCodec.encodeContext(context));
                    f = client.deleteAsync(key, context, OPTIONS);
                } else {
                    context = null;
                    op = history.invoke(name, OpType.GET, key, null, null);
                    f = client.getAsync(key, OPTIONS);
                }
                if (context != null) {
                    // Before the write is sent: from now on it may supersede what its context covers.
                    writeContexts.computeIfAbsent(Bytes.of(key), k -> new ConcurrentLinkedQueue<>()).add(context);
                    notes.put(op, "ctx " + context);
                }
                f.whenComplete((result, failure) -> {
                    try {
                        record(op, key, value, result, failure);
                    } catch (Throwable broken) {
                        violation.compareAndSet(null, broken);
                    }
                    workload.schedule(this::next, random.nextInt(5), TimeUnit.MILLISECONDS);
                });
            }

            void record(long op, byte[] key, byte[] written, Object result, Throwable failure) {
                if (failure != null) {
                    Throwable cause = Failures.unwrap(failure);
                    history.info(op, String.valueOf(cause));
                    ErrorCode code = cause instanceof ChorusException ce ? ce.code() : ErrorCode.INTERNAL;
                    assertThat(code).as("#%d failed with %s", op, cause).isNotIn(ErrorCode.BAD_REQUEST,
                            ErrorCode.INTERNAL, ErrorCode.CORRUPT);
                    return;
                }
                if (result instanceof VersionVector deleted) {
                    history.ok(op, List.of(), CausalCodec.encodeContext(deleted));
                    lastRead.put(Bytes.of(key), deleted);
                    return;
                }
                ChorusObject object = (ChorusObject) result;
                history.ok(op, object.values(), CausalCodec.encodeContext(object.context()));
                lastRead.put(Bytes.of(key), object.context());
                notes.merge(op, "-> " + object.siblings().size() + " siblings, ctx " + object.context(),
                        (a, b) -> a + " " + b);
                if (written != null) {
                    Dot dot = object.siblings().stream()
                            .filter(s -> !s.isTombstone() && Bytes.of(s.value()).equals(Bytes.of(written)))
                            .map(Sibling::dot).findFirst().orElseThrow(() -> new AssertionError(
                                    "acknowledged put #" + op + " lacks its own value: " + object.siblings()));
                    dots.put(op, dot);
                }
            }
        }
    }
}
