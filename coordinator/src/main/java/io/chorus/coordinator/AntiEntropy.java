package io.chorus.coordinator;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.ring.Ring;
import io.chorus.storage.HashTree;
import io.chorus.storage.StorageEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active anti-entropy for one node: keeps every partition it holds in sync with the partition's other primaries
 * without anyone reading a key, rebuilds hash trees that are not ready, collects tombstones once causally stable,
 * and answers the anti-entropy messages of its peers.
 *
 * <p>Every {@code tickMillis} the agent (1) starts a rebuild of one held partition's tree that needs it, if none is
 * running, scanning {@code rebuildChunkKeys} keys a step; (2) starts syncs of (partition, peer) pairs whose last
 * sync is older than {@code intervalMillis}, up to {@code concurrency} at once, skipping peers that liveness calls
 * down but for one sync per interval to each, its probe; (3) after a partition's syncs converged with every peer,
 * runs a tombstone round for it if this node is its first primary ({@link TombstoneCollector}). Syncs and rebuilds
 * hold permits of the node's {@link BackgroundBudget} and spend their keys and bytes there, so they share one bound
 * with hint replay; a tombstone round is a few small messages and holds none. {@link #repair} does the same syncs
 * on demand (REPAIR).
 *
 * <p>Every anti-entropy message's end is reported to {@link Liveness} as the coordinator reports its own (a reply or
 * an error answer: up; no answer: a failure). Without that and the probes, a node cut off and healed would never
 * be synced again when nothing else talks to it: the others' writes go around it while it is down, no hints are
 * held for it (hints capped or disabled) and nobody reads, so nothing would tell liveness it is back, and the
 * node itself would call every peer down after its own writes timed out
 * ({@code AntiEntropyConvergenceTest#aPartitionedReplicaConvergesByAntiEntropyAlone}).
 *
 * <p>{@link #sync} is the primitive: one partition, one peer, both ends identical afterwards (see
 * {@link PartitionSync}); handoff and the rebuild of a wiped node use it too.
 *
 * <p>Thread-safe: the schedule's state is under this object's monitor, held for bookkeeping only; syncs run as
 * future chains on the background executor. Time comes from the given clock and scheduler.
 */
public final class AntiEntropy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AntiEntropy.class);
    /** How soon a deferred sync (a tree rebuilding, a ring changing) is tried again, in ticks. */
    private static final int RETRY_DEFERRED_TICKS = 5;

    private final NodeId self;
    private final Supplier<Ring> ring;
    private volatile java.util.function.BooleanSupplier collectionHeld = () -> false;
    private final int n;
    private final StorageEngine storage;
    private final Transport transport;
    private final Liveness liveness;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Executor background;
    private final BackgroundBudget budget;
    private final AntiEntropyConfig config;
    private final AntiEntropyCounters counters = new AntiEntropyCounters();
    private final AntiEntropyHandler handler;
    private final TombstoneCollector collector;

    // Guarded by this:
    private final Map<Pair, Long> lastAttemptNanos = new HashMap<>();
    /** Per partition and peer: when a sync last converged, on the monotonic clock (the collector's trigger). */
    private final Map<Integer, Map<NodeId, Long>> convergedNanos = new HashMap<>();
    /** The same in wall-clock time, for STATS only. */
    private final Map<Integer, Map<NodeId, Long>> convergedMillis = new HashMap<>();
    private final Map<Integer, Long> lastCollectNanos = new HashMap<>();
    /** Per peer that liveness called down when a sync was due: when the last one went to it anyway, as a probe. */
    private final Map<NodeId, Long> lastProbeNanos = new HashMap<>();
    private int running;
    private boolean rebuilding;
    /** Whether rebuilds ran since the trees were last all ready: one INFO line at each end, not one a partition. */
    private boolean rebuildEpisode;
    /**
     * Where the round-robin over held partitions starts: a different place on each node, so that replicas do not all
     * work on the same partition at once (each pushing the same keys to a wiped peer).
     */
    private int cursor;
    private Cancellable timer;
    private boolean closed;

    /**
     * @param n            the replica count whose first n nodes of a partition's walk sync with each other
     * @param background   where steps that read the store run (the node's dispatch pool)
     * @param pendingHints how many hints this node holds for keys of a partition, for tombstone rounds
     */
    public AntiEntropy(NodeId self, Supplier<Ring> ring, int n, StorageEngine storage, Transport transport,
            Liveness liveness, Scheduler scheduler, Clock clock, Executor background, BackgroundBudget budget,
            IntToLongFunction pendingHints, AntiEntropyConfig config) {
        this.self = Objects.requireNonNull(self, "self");
        this.ring = Objects.requireNonNull(ring, "ring");
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        this.n = n;
        this.storage = Objects.requireNonNull(storage, "storage");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.background = Objects.requireNonNull(background, "background");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.config = Objects.requireNonNull(config, "config");
        this.handler = new AntiEntropyHandler(storage, ring, pendingHints, counters);
        this.cursor = Math.floorMod(self.hashCode(), 1 << 16);
        this.collector = new TombstoneCollector(self, storage, transport, liveness, clock, background, pendingHints,
                config, counters);
    }

    /**
     * Holds tombstone collection while {@code held} says so: while partitions move, a node outside the ring's
     * replicas may still hold an older state of a key, which handoff would bring back after its tombstone went.
     * Set before {@link #start()}.
     */
    public void holdCollectionWhile(java.util.function.BooleanSupplier held) {
        this.collectionHeld = Objects.requireNonNull(held, "held");
    }

    /**
     * Nodes a tombstone round asks besides the ring's members (the gossip-known nodes that may hold data): each
     * must answer and hold no other state of the key. Set before {@link #start()}.
     */
    public void alsoAskForTombstones(java.util.function.Supplier<java.util.Collection<NodeId>> nodes) {
        collector.alsoAsk(Objects.requireNonNull(nodes, "nodes"));
    }

    /** Serves the anti-entropy opcodes (0x30xx). */
    public RequestHandler handler() {
        return handler;
    }

    /** A handler that gives anti-entropy opcodes to {@code antiEntropy} and everything else to {@code other}. */
    public static RequestHandler route(RequestHandler other, RequestHandler antiEntropy) {
        return new RequestHandler() {
            @Override
            public CompletableFuture<Message> handle(NodeId from, Message request) {
                return PeerOpcodes.isAntiEntropy(request.opcode())
                        ? antiEntropy.handle(from, request) : other.handle(from, request);
            }

            @Override
            public boolean nonBlocking(int opcode) {
                return PeerOpcodes.isAntiEntropy(opcode)
                        ? antiEntropy.nonBlocking(opcode) : other.nonBlocking(opcode);
            }
        };
    }

    public synchronized void start() {
        if (config.enabled() && !closed && timer == null) {
            timer = scheduler.schedule(this::tick, config.tickMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops scheduling; syncs in progress finish. */
    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** One partition with one peer, within the budget; never fails (the report says how it ended). */
    public CompletableFuture<SyncReport> sync(int partition, NodeId peer) {
        return sync(partition, peer, "aae");
    }

    /** As {@link #sync(int, NodeId)}, the budget's permit taken for {@code kind} of work (handoff, say). */
    public CompletableFuture<SyncReport> sync(int partition, NodeId peer, String kind) {
        Ring current = ring.get();
        long ringVersion = current.version();
        return budget.acquire(kind).thenCompose(permit -> {
            CompletableFuture<SyncReport> done;
            try {
                done = PartitionSync.run(partition, storage,
                        new RemoteSyncPeer(transport, peer, ringVersion, config.messageTimeoutMillis(),
                                (node, failure) -> NodeServices.report(liveness, node, failure)), background,
                        permit::spend, clock::nanoTime, current::partitionOf);
            } catch (RuntimeException e) {
                permit.close();
                throw e;
            }
            return done.whenComplete((r, t) -> permit.close());
        }).thenApply(report -> {
            recorded(report);
            return report;
        });
    }

    /**
     * Syncs one held partition, or every one, with each of its other primaries now (whatever their schedule),
     * one sync at a time per {@code concurrency}, within the budget.
     *
     * @throws ChorusException NOT_A_REPLICA when this node does not hold the partition asked for
     */
    public CompletableFuture<RepairSummary> repair(OptionalInt partition) {
        Ring current = ring.get();
        if (partition.isPresent()) {
            int p = partition.getAsInt();
            if (p < 0 || p >= current.partitionCount()) {
                return CompletableFuture.failedFuture(new ChorusException(ErrorCode.BAD_REQUEST, "partition " + p
                        + " outside 0.." + (current.partitionCount() - 1)));
            }
            if (!primaries(current, p).contains(self)) {
                return CompletableFuture.failedFuture(new ChorusException(ErrorCode.NOT_A_REPLICA, self
                        + " is not a replica of partition " + p + " in ring version " + current.version()));
            }
        }
        List<Integer> parts = partition.isPresent() ? List.of(partition.getAsInt()) : held(current);
        List<Pair> pairs = new ArrayList<>();
        for (int p : parts) {
            for (NodeId peer : peers(current, p)) {
                pairs.add(new Pair(p, peer));
            }
        }
        long start = clock.nanoTime();
        SyncReport[] reports = new SyncReport[pairs.size()];
        AtomicInteger next = new AtomicInteger();
        // `concurrency` chains, each taking the next pair when its sync ends: a REPAIR of every partition asks the
        // budget for one permit a chain, not one a pair at once, so hint replay still gets its turns.
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int c = 0; c < Math.min(config.concurrency(), pairs.size()); c++) {
            chains.add(repairChain(pairs, reports, next));
        }
        return CompletableFuture.allOf(chains.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> new RepairSummary(List.of(reports), clock.nanoTime() - start));
    }

    private CompletableFuture<Void> repairChain(List<Pair> pairs, SyncReport[] reports,
            AtomicInteger next) {
        int i = next.getAndIncrement();
        if (i >= pairs.size()) {
            return CompletableFuture.completedFuture(null);
        }
        Pair pair = pairs.get(i);
        return sync(pair.partition(), pair.peer()).thenComposeAsync(report -> {
            reports[i] = report;
            return repairChain(pairs, reports, next);
        }, background);
    }

    /** One tombstone round for {@code partition} now, whatever the schedule: for tests of the rule itself. */
    CompletableFuture<Integer> collectNow(int partition) {
        Ring current = ring.get();
        return collector.round(current, partition, primaries(current, partition));
    }

    public AntiEntropyStats stats() {
        Map<Integer, Long> last = new HashMap<>();
        Ring current = ring.get();
        synchronized (this) {
            for (int p : held(current)) {
                Map<NodeId, Long> byPeer = convergedMillis.get(p);
                List<NodeId> peers = peers(current, p);
                if (byPeer != null && byPeer.keySet().containsAll(peers)) {
                    last.put(p, peers.stream().mapToLong(byPeer::get).min().orElse(0));
                }
            }
        }
        AntiEntropyCounters c = counters;
        return new AntiEntropyStats(c.exchanges.sum(), c.inSync.sum(), c.repaired.sum(), c.deferred.sum(),
                c.failed.sum(), c.hashesCompared.sum(), c.segmentsDiffering.sum(), c.keysFetched.sum(),
                c.keysPushed.sum(), c.keysSent.sum(), c.keysReceived.sum(), c.bytesSent.sum(), c.bytesReceived.sum(),
                c.tombstonesPurged.sum(), c.collectionRounds.sum(), storage.trees().rebuilds(),
                storage.trees().notReady(), last);
    }

    private void tick() {
        try {
            Ring current = ring.get();
            startRebuild(current);
            startDueSyncs(current);
        } catch (RuntimeException e) {
            LOG.warn("{}: anti-entropy tick failed", self, e);
        } finally {
            synchronized (this) {
                timer = closed ? null : scheduler.schedule(this::tick, config.tickMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void startRebuild(Ring current) {
        HashTree target = null;
        synchronized (this) {
            if (rebuilding || closed) {
                return;
            }
            // Every partition, not only the held ones: a node handing a partition off (or holding a stray copy)
            // syncs it too, and an empty partition's rebuild is one seek.
            for (int p = 0; p < current.partitionCount(); p++) {
                HashTree t = storage.trees().tree(p);
                // A partition being dropped has nothing to scan; the drop leaves its tree ready and empty.
                if (t.needsRebuild() && !t.dropRunning()) {
                    target = t;
                    break;
                }
            }
            if (target == null) {
                if (rebuildEpisode) {
                    rebuildEpisode = false;
                    LOG.info("{}: the hash trees of every held partition are ready ({} rebuilt since start)", self,
                            storage.trees().rebuilds());
                }
                return;
            }
            rebuilding = true;
            if (!rebuildEpisode) {
                rebuildEpisode = true;
                LOG.info("{}: rebuilding hash trees by scanning their partitions, {} keys a step within the"
                        + " background budget; syncs of a partition wait for its tree", self,
                        config.rebuildChunkKeys());
            }
        }
        HashTree tree = target;
        LOG.debug("{}: rebuilding the hash tree of partition {} ({})", self, tree.partition(), tree);
        budget.acquire("rebuild").thenCompose(permit -> rebuildSteps(tree, permit)
                .whenComplete((v, t) -> permit.close()))
                .whenComplete((done, t) -> {
                    synchronized (this) {
                        rebuilding = false;
                    }
                    if (t != null) {
                        LOG.warn("{}: rebuilding the tree of partition {} failed: {}", self, tree.partition(),
                                t.toString());
                        return;
                    }
                    if (!Boolean.TRUE.equals(done)) {
                        return; // stopped (closing, or a drop began): the next tick looks again
                    }
                    LOG.debug("{}: hash tree of partition {} rebuilt ({})", self, tree.partition(), tree);
                    // The next tree now, not at the next tick: after a crash every partition needs one, and a
                    // tick apart they took Q seconds (minutes of deferred syncs and stalled handoffs).
                    background.execute(() -> startRebuild(ring.get()));
                });
    }

    /**
     * Scans a chunk, then spends what it scanned on the budget's rate: paying after keeps the pace of a large
     * partition and lets an empty one (one seek) cost nothing.
     */
    private CompletableFuture<Boolean> rebuildSteps(HashTree tree, BackgroundBudget.Permit permit) {
        int chunk = config.rebuildChunkKeys();
        return CompletableFuture.supplyAsync(() -> storage.rebuildTree(tree.partition(), chunk), background)
                .thenCompose(step -> step)
                .thenCompose(progress -> permit.spend(progress.keysScanned(), 0).thenApply(v -> progress))
                .thenComposeAsync(progress -> {
                    synchronized (this) {
                        if (closed) {
                            return CompletableFuture.completedFuture(false);
                        }
                    }
                    if (progress.done()) {
                        return CompletableFuture.completedFuture(true);
                    }
                    // Nothing scanned and not done: a drop began under the rebuild. Stepping again would spin
                    // (a step costs nothing when it scans nothing), so this rebuild ends here.
                    return progress.keysScanned() == 0 ? CompletableFuture.completedFuture(false)
                            : rebuildSteps(tree, permit);
                }, background);
    }

    private void startDueSyncs(Ring current) {
        List<Integer> parts = held(current);
        if (parts.isEmpty()) {
            return;
        }
        long now = clock.nanoTime();
        long interval = TimeUnit.MILLISECONDS.toNanos(config.intervalMillis());
        List<Pair> toStart = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < parts.size() && running < config.concurrency() && !closed; i++) {
                int p = parts.get((cursor + i) % parts.size());
                for (NodeId peer : peers(current, p)) {
                    if (running >= config.concurrency()) {
                        break;
                    }
                    Pair pair = new Pair(p, peer);
                    Long last = lastAttemptNanos.get(pair);
                    if (last != null && now - last < interval) {
                        continue;
                    }
                    if (!liveness.isAlive(peer)) {
                        Long probed = lastProbeNanos.get(peer);
                        if (probed != null && now - probed < interval) {
                            continue;
                        }
                        lastProbeNanos.put(peer, now);
                    }
                    lastAttemptNanos.put(pair, now);
                    running++;
                    toStart.add(pair);
                }
                if (running >= config.concurrency()) {
                    cursor = (cursor + i) % parts.size();
                }
            }
        }
        for (Pair pair : toStart) {
            sync(pair.partition(), pair.peer()).whenComplete((report, t) -> {
                synchronized (this) {
                    running--;
                    if (report != null && report.outcome() == SyncReport.Outcome.DEFERRED) {
                        // Sooner than a whole interval: a rebuild or a ring change usually ends within seconds.
                        lastAttemptNanos.put(pair, clock.nanoTime() - interval
                                + TimeUnit.MILLISECONDS.toNanos(config.tickMillis() * RETRY_DEFERRED_TICKS));
                    }
                }
                if (t != null) {
                    LOG.warn("{}: sync of partition {} with {} failed", self, pair.partition(), pair.peer(), t);
                }
            });
        }
    }

    /** Books a finished sync; after the last peer of a partition converged, its tombstone round may run. */
    private void recorded(SyncReport report) {
        counters.add(report);
        if (report.outcome() == SyncReport.Outcome.FAILED) {
            // One line, no stack: a peer gone or slow is expected; syncs skip peers liveness calls down.
            LOG.warn("{}: sync of partition {} with {} failed: {}", self, report.partition(), report.peer(),
                    report.detail());
        }
        if (!report.converged()) {
            return;
        }
        Ring current = ring.get();
        int p = report.partition();
        long now = clock.nanoTime();
        boolean collect;
        List<NodeId> primaries = primaries(current, p);
        synchronized (this) {
            convergedMillis.computeIfAbsent(p, x -> new HashMap<>()).put(report.peer(), clock.currentTimeMillis());
            Map<NodeId, Long> byPeer = convergedNanos.computeIfAbsent(p, x -> new HashMap<>());
            byPeer.put(report.peer(), now);
            Long since = lastCollectNanos.get(p);
            collect = config.collectTombstones() && !closed && !collectionHeld.getAsBoolean()
                    && primaries.get(0).equals(self)
                    && peers(current, p).stream().allMatch(q -> byPeer.containsKey(q)
                            && (since == null || byPeer.get(q) - since > 0))
                    && storage.trees().tree(p).tombstoneCount() > 0;
            if (collect) {
                lastCollectNanos.put(p, now);
            }
        }
        if (collect) {
            // Off this sync's thread and out of its future: a round that fails (a read, a send) is the round's,
            // never the converged sync's.
            CompletableFuture.supplyAsync(() -> collector.round(current, p, primaries), background)
                    .thenCompose(f -> f)
                    .whenComplete((n, t) -> {
                        if (t != null) {
                            LOG.warn("{}: tombstone round of partition {} failed: {}", self, p, t.toString());
                        }
                    });
        }
    }

    private List<Integer> held(Ring current) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < current.partitionCount(); p++) {
            if (primaries(current, p).contains(self)) {
                out.add(p);
            }
        }
        return out;
    }

    private List<NodeId> primaries(Ring current, int partition) {
        List<NodeId> walk = current.walk(partition);
        return walk.subList(0, Math.min(n, walk.size()));
    }

    private List<NodeId> peers(Ring current, int partition) {
        List<NodeId> out = new ArrayList<>(primaries(current, partition));
        out.remove(self);
        return out;
    }

    private record Pair(int partition, NodeId peer) {
    }
}
