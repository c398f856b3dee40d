package io.chorus.coordinator;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.ContextLimits;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.storage.StorageEngine;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's request path, Dynamo's coordinator: quorum reads and writes over the key's preference list, sloppy
 * quorums with hinted handoff, read repair, and forwarding from nodes that are not replicas of a key. One per node;
 * the server composes it and installs {@link #peerHandler()} on the node's transport.
 *
 * <p><b>Routing.</b> Any node accepts a request. A node among the key's first N nodes (its preference list)
 * coordinates it itself, so the dots it stamps are a replica's. Any other node forwards it (FORWARD) to the first
 * node of the list that {@link Liveness} calls alive (then the others), moving on only when a node could not be
 * reached at all (UNAVAILABLE: the request never ran, so resending cannot duplicate a write). A node receiving a
 * FORWARD for a key it is not a replica of (the rings disagree) answers NOT_A_REPLICA instead of forwarding again.
 *
 * <p><b>Writes</b> ({@link #put}, {@link #delete}): see {@link WriteRequest}. W counts durable acks from distinct
 * nodes: this node's own write, primaries, and fallbacks that stored a hint for a down primary (Dynamo's sloppy
 * quorum, so a write at W succeeds while W nodes of the walk are reachable; it is readable at R from primaries
 * only once the hints are delivered). <b>Reads</b> ({@link #get}): see {@link ReadRequest}; R counts successful
 * replies of primaries, this node's own read included.
 *
 * <p><b>Hints</b> are durable in the storage area {@code "hints"}, refused beyond {@code maxHints}, replayed by an
 * agent started with {@link #start()} and dropped after {@code maxHintAgeMillis} ({@link HintReplayer}).
 *
 * <p>Failures are explicit: invalid N/R/W is BAD_REQUEST, too few acks QUORUM_NOT_MET or TIMEOUT as a
 * {@link io.chorus.core.error.QuorumException} with the acks received (a forwarded request's error arrives as a
 * plain {@link ChorusException} with the same code), a failed local write its own error. Success is reported only
 * for acks received.
 *
 * <p>Thread-safety: thread-safe. Requests never block: each is a state machine advanced by callbacks on transport,
 * storage or scheduler threads, its small state under its own monitor, no lock held across I/O. Time comes only
 * from the given {@link Clock} and {@link Scheduler}.
 */
public final class Coordinator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
    /** The first pause before a forward every replica refused as NOT_A_REPLICA is routed again. */
    static final long FIRST_REROUTE_PAUSE_MILLIS = 25;
    /** The longest such pause: about a gossip round, by when the rings have usually met. */
    static final long MAX_REROUTE_PAUSE_MILLIS = 400;

    private final NodeServices node;
    private final ActorId actor;
    private final Supplier<RingState> ring;
    private final HintStore hints;
    private final BackgroundBudget budget;
    private final HintReplayer replayer;
    private final PeerHandler peerHandler;
    /** Recent replica read latencies: the speculative retry delay's percentile comes from them. */
    private final ReadLatency readLatency = new ReadLatency();
    /** Whether a read compares the replicas it did not ask. */
    private final Chance readRepairChance;

    /** Set by {@link #close()}: work refused by the scheduler from then on is the node stopping. */
    private volatile boolean closed;

    /**
     * Builds the coordinator and recovers the hint store's sequence (a scan of the hint area), so its peer
     * handler may be installed before {@link #start()}.
     *
     * @param actor the actor this node stamps writes with: {@code (self, storage.epoch())}
     * @param ring  the current ring state; read once per request
     */
    public Coordinator(NodeId self, ActorId actor, Supplier<RingState> ring, StorageEngine storage, Transport transport,
            Liveness liveness, Scheduler scheduler, Clock clock, CoordinatorConfig config) {
        this(self, actor, ring, ring, storage, transport, liveness, scheduler, clock, config);
    }

    /**
     * As above, serving other nodes' replica requests by {@code replicaRing}, which may be known before
     * {@code ring} is (a restarted node stores writes it is sent while it does not yet coordinate any).
     */
    public Coordinator(NodeId self, ActorId actor, Supplier<RingState> ring, Supplier<RingState> replicaRing,
            StorageEngine storage, Transport transport, Liveness liveness, Scheduler scheduler, Clock clock,
            CoordinatorConfig config) {
        Objects.requireNonNull(self, "self");
        this.actor = Objects.requireNonNull(actor, "actor");
        if (!actor.node().equals(self)) {
            throw new IllegalArgumentException("actor " + actor + " is not of this node " + self);
        }
        this.ring = Objects.requireNonNull(ring, "ring");
        Counters counters = new Counters();
        this.node = new NodeServices(self, Objects.requireNonNull(storage, "storage"),
                Objects.requireNonNull(transport, "transport"), Objects.requireNonNull(liveness, "liveness"),
                Objects.requireNonNull(scheduler, "scheduler"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(config, "config"), counters);
        this.hints = HintStore.open(storage, config.maxHints(), counters);
        this.budget = BackgroundBudget.of(config.budget(), clock, scheduler);
        this.replayer = new HintReplayer(node, hints, budget);
        this.peerHandler = new PeerHandler(node, hints, this, Objects.requireNonNull(replicaRing, "replicaRing"));
        // Seeded from the node's name and its clock: different per node and run in production, and in the
        // simulation (virtual time) the same for the same seed, so a run stays reproducible.
        this.readRepairChance = new Chance(self.hashCode() * 0x9E3779B97F4A7C15L ^ clock.nanoTime());
    }

    /** A coordinator over a ring that never changes (tests, tools). */
    public static Coordinator ofFixedRing(NodeId self, ActorId actor, Ring ring, StorageEngine storage,
            Transport transport, Liveness liveness, Scheduler scheduler, Clock clock, CoordinatorConfig config) {
        RingState state = RingState.of(ring);
        return new Coordinator(self, actor, () -> state, storage, transport, liveness, scheduler, clock, config);
    }

    /** Reads {@code key}: the merge of R primaries' states; a missing or deleted key is not an error. */
    public CompletableFuture<SiblingSet> get(byte[] key, QuorumOptions options) {
        try {
            checkKey(key);
            Quorum quorum = Quorum.forRead(required(options, "options"), node.config(), currentRing().size());
            return route(Forward.of(Forward.GET, key.clone(), VersionVector.empty(), null, options, quorum), quorum,
                    false);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(asChorus(e));
        }
    }

    /**
     * Writes {@code value} over what {@code context} covers (an empty context is a blind write); completes with
     * the key's state on the coordinating replica after the write, once W nodes acknowledged it durably.
     */
    public CompletableFuture<SiblingSet> put(byte[] key, VersionVector context, byte[] value,
            QuorumOptions options) {
        try {
            return write(Forward.PUT, key, context, required(value, "value").clone(), options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(asChorus(e));
        }
    }

    /** A put of a tombstone: the key reads as deleted, and its context supersedes the delete. */
    public CompletableFuture<SiblingSet> delete(byte[] key, VersionVector context, QuorumOptions options) {
        try {
            return write(Forward.DELETE, key, context, null, options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(asChorus(e));
        }
    }

    /** Serves REPLICA_PUT, REPLICA_GET, HINT_PUT and FORWARD from other nodes. */
    public RequestHandler peerHandler() {
        return peerHandler;
    }

    /** Starts the hint replay agent. */
    public void start() {
        replayer.start();
    }

    /** Stops the hint replay agent; requests in flight finish. Does not close the storage or the transport. */
    @Override
    public void close() {
        closed = true;
        replayer.close();
    }

    public CoordinatorStats stats() {
        long delay = readLatency.speculativeDelayMillis(node.config().speculativeRetry(),
                node.config().replicaTimeoutMillis(), node.clock().nanoTime());
        return node.counters().snapshot(Math.max(0, delay));
    }

    public NodeId self() {
        return node.self();
    }

    /**
     * How many hints this node holds for keys of {@code partition} (tombstones of a partition are collected only
     * while no node holds one for it).
     */
    public long pendingHints(int partition) {
        return hints.pending(partition);
    }

    /** The node's one budget for background work: hint replay uses it, anti-entropy and handoff share it. */
    public BackgroundBudget budget() {
        return budget;
    }

    /** Coordinates a FORWARD from another node; never forwards again. */
    CompletableFuture<SiblingSet> coordinateForwarded(Forward request) {
        return route(request, quorumOf(request), true);
    }

    /** The quorum of a request as the client asked it ({@link Forward#options}), resolved against this ring. */
    private Quorum quorumOf(Forward request) {
        QuorumOptions options = request.options();
        int ringSize = currentRing().size();
        return request.clientOpcode() == Forward.GET ? Quorum.forRead(options, node.config(), ringSize)
                : Quorum.forWrite(options, node.config(), ringSize);
    }

    private CompletableFuture<SiblingSet> write(int opcode, byte[] key, VersionVector context, byte[] value,
            QuorumOptions options) {
        checkKey(key);
        required(context, "context");
        Quorum quorum = Quorum.forWrite(required(options, "options"), node.config(), currentRing().size());
        return route(Forward.of(opcode, key.clone(), context, value, options, quorum), quorum, false);
    }

    /** {@code request} as the client asked it, {@code quorum} as this node resolved it. */
    private CompletableFuture<SiblingSet> route(Forward request, Quorum quorum, boolean forwarded) {
        return route(request, quorum, forwarded, FIRST_REROUTE_PAUSE_MILLIS);
    }

    private CompletableFuture<SiblingSet> route(Forward request, Quorum quorum, boolean forwarded,
            long reroutePauseMillis) {
        RingState current = currentRing();
        int partition = current.to().partitionOf(request.key());
        if (quorum.n() > current.size()) {
            // The ring shrank since the quorum was checked against it.
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.BAD_REQUEST,
                    "n = " + quorum.n() + " is more than the " + current.size() + " nodes of the ring"));
        }
        // While the partition moves these are its old replicas: they hold everything acknowledged so far.
        List<NodeId> primaries = current.readReplicas(partition, quorum.n());
        if (!primaries.contains(node.self())) {
            if (forwarded) {
                return CompletableFuture.failedFuture(new ChorusException(ErrorCode.NOT_A_REPLICA,
                        node.self() + " is not among the " + quorum.n() + " replicas of the key in ring version "
                                + current.version()));
            }
            return forwardWhileRingsDisagree(request, primaries, reroutePauseMillis);
        }
        if (request.clientOpcode() == Forward.GET) {
            return ReadRequest.start(node, partition, request.key(), quorum, primaries, readLatency,
                    readRepairChance);
        }
        VersionVector context = request.context();
        ContextLimits.checkActors(context);
        byte[] value = request.value();
        // The time is read once, here: the stamp may run again if the storage batch is retried.
        long now = node.clock().currentTimeMillis();
        List<List<NodeId>> quorums = current.writeQuorums(partition, quorum.n());
        return WriteRequest.start(node, partition, request.key(), quorum, quorums,
                fallbacks(current.to().walk(partition), quorums), stored -> {
                    ContextLimits.checkCounters(context, stored.context());
                    return stored.update(context, actor, value, now);
                });
    }

    /**
     * Forwards, and when every replica refused it as NOT_A_REPLICA routes it again after a pause, on the ring this
     * node has by then, while its time allows. Such refusals mean that rings disagree on the key's replicas: a
     * membership change that gossip is still spreading (right after joins commit, the nodes' rings differ for about
     * a gossip round), which passes by itself. A refused request ran nowhere, so even a write is safe to send
     * again. The pause doubles from {@value #FIRST_REROUTE_PAUSE_MILLIS} ms up to {@value #MAX_REROUTE_PAUSE_MILLIS}
     * ms; the last refusal is the answer once the time left would not cover another pause.
     */
    private CompletableFuture<SiblingSet> forwardWhileRingsDisagree(Forward request, List<NodeId> primaries,
            long pauseMillis) {
        long started = node.clock().nanoTime();
        return Forwarder.forward(node, request, primaries).exceptionallyCompose(failure -> {
            long leftMillis = request.timeoutMillis()
                    - TimeUnit.NANOSECONDS.toMillis(node.clock().nanoTime() - started);
            if (closed || !Forwarder.refusedByRingsThatDisagree(failure) || leftMillis <= 2 * pauseMillis) {
                return CompletableFuture.failedFuture(failure);
            }
            CompletableFuture<Void> paused = new CompletableFuture<>();
            node.scheduler().schedule(() -> paused.complete(null), pauseMillis, TimeUnit.MILLISECONDS);
            return paused.thenCompose(v -> {
                try {
                    Forward retry = request.withTimeout(leftMillis - pauseMillis);
                    return route(retry, quorumOf(retry), false, Math.min(2 * pauseMillis, MAX_REROUTE_PAUSE_MILLIS));
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(asChorus(e));
                }
            });
        });
    }

    /** The target ring's walk without the write's replicas: where sloppy quorums find stand-ins. */
    private static List<NodeId> fallbacks(List<NodeId> walk, List<List<NodeId>> quorums) {
        if (quorums.size() == 1 && walk.subList(0, quorums.get(0).size()).equals(quorums.get(0))) {
            return walk.subList(quorums.get(0).size(), walk.size());
        }
        List<NodeId> out = new java.util.ArrayList<>(walk);
        quorums.forEach(out::removeAll);
        return out;
    }

    /** The ring state to route by; a node that has none yet (still joining a cluster) serves no request. */
    private RingState currentRing() {
        RingState current = ring.get();
        if (current == null) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, node.self() + " is not a member of a cluster yet");
        }
        return current;
    }

    private static void checkKey(byte[] key) {
        required(key, "key");
        if (key.length == 0) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "key must not be empty");
        }
        if (key.length > StorageEngine.MAX_KEY_LENGTH) {
            throw new LimitExceededException(ErrorCode.TOO_LARGE, "key length", key.length,
                    StorageEngine.MAX_KEY_LENGTH);
        }
    }

    /** A missing argument is the caller's error, told apart here from a fault of the node's own. */
    private static <T> T required(T value, String name) {
        if (value == null) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, name + " must be given");
        }
        return value;
    }

    /**
     * Whatever the checks refuse is already a {@link ChorusException} with its code; anything else thrown while
     * starting a request (a closed scheduler, a bug) is the node's fault, not the client's: INTERNAL, logged with
     * its stack trace so that somebody sees it. The exception is a scheduler refusing work after {@link #close()}:
     * the node is stopping, which is UNAVAILABLE.
     */
    private ChorusException asChorus(RuntimeException e) {
        if (e instanceof ChorusException ce) {
            return ce;
        }
        if (closed && e instanceof RejectedExecutionException) {
            // The node is stopping and its timers are gone: expected, and the client should go elsewhere.
            return new ChorusException(ErrorCode.UNAVAILABLE, "this node is stopping", e);
        }
        LOG.error("{}: a request failed inside the coordinator", node.self(), e);
        return new ChorusException(ErrorCode.INTERNAL, "the node failed to run the request: " + e, e);
    }
}
