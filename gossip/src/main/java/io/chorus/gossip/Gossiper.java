package io.chorus.gossip;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.ring.RingState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A node's gossip agent: spreads node states and the ring state by Scuttlebutt exchanges (Cassandra's SYN, ACK,
 * ACK2) and judges its peers with a {@link PhiAccrualDetector}.
 *
 * <p><b>A round</b>, every {@link GossipConfig#interval()} (the first after a random part of one, so nodes started
 * together do not gossip in step): tick the detector (its pause guard), bump this node's heartbeat (its state's
 * next version; a ring version that lags the held ring state is caught up instead), judge every peer, then send a
 * SYN to the peers {@link PeerSelection} picks. An exchange: the SYN lists a {@link Digest} of everything this node
 * holds; the peer takes each digest as a heartbeat its sender heard (liveness needs no reply to get through), then
 * its ACK carries what it holds newer (full states for newer content, bare digests for later heartbeats) and asks for
 * the content this node holds newer; the ACK2 carries that. See {@link Exchange} for the rules and the cap on full
 * states per message.
 *
 * <p><b>Merging.</b> A state is taken only if it is newer news than the one held: a newer generation, or a newer
 * content ({@link SentState}); a state of the same content with a later version, or a bare digest, only moves the
 * node's heartbeat. Each newer thing taken of a node, first- or second-hand, is a heartbeat of it for the detector
 * (as in Cassandra). A ring state is taken only if it {@link RingState#supersedes} the one held. News of this node
 * itself is never taken: only it speaks for itself. Removed nodes (the ring state's {@code removed}) are shown
 * REMOVED, never gossiped with, their news neither taken nor passed on, so their own gossip cannot revive them;
 * when this node itself is removed its listeners hear it ({@link MembershipView#selfRemoved()}) and the owner stops
 * it.
 *
 * <p><b>Seeds</b> are node ids the transport can reach, used only to pick whom to gossip with. In production the
 * composition root registers synthetic ids for seed addresses, which no real node has: they never enter the
 * membership, since only gossiped states do. A seed equal to this node's id is dropped; a synthetic seed that
 * reaches this node itself is refused by its own handler (a SYN from itself).
 *
 * <p><b>Threads.</b> All state is confined to the agent: tasks run by the {@link Scheduler}, which must run them one
 * at a time (production's {@code WheelScheduler} runs them on one worker thread; the testkit's VirtualScheduler on
 * the simulation thread). Every entry point ({@link #handler()}, {@link #updateSelf}, {@link #offerRing},
 * {@link #start()}, {@link #close()}, replies from the transport) hops onto it with {@code execute}; nothing
 * blocks, no lock is taken. {@link #view()} and {@link #stats()} are immutable snapshots published through volatile
 * fields, safe to read from any thread; listeners run on the agent.
 *
 * <p><b>Pauses.</b> A round ticks the detector before it judges anyone, and every other task first checks the time
 * since the last tick: beyond the pause threshold this node was not running (a GC, a suspended VM), and the detector
 * is ticked before anything else. So whatever order a resumed node runs what waited in, nobody is convicted for the
 * pause, and a heartbeat that waited does not find its node silent for the whole pause (which would restart that
 * node's history as after an outage).
 */
public final class Gossiper implements AutoCloseable {

    private final NodeId self;
    private final List<NodeId> seeds;
    private final String clusterName;
    private final Transport transport;
    private final Scheduler scheduler;
    private final Clock clock;
    private final GossipConfig config;
    private final Random random;
    private final long intervalNanos;
    private final long pauseThresholdNanos;
    private final long timeoutMillis;
    /** See {@link PhiAccrualDetector#availableForNanosAfterHeartbeat()}: a round judges only the nodes quiet longer. */
    private final long availableAfterHeartbeatNanos;
    private final List<Consumer<MembershipView>> listeners = new CopyOnWriteArrayList<>();

    // ---- agent state: touched only by tasks on the scheduler ----
    private final PhiAccrualDetector detector;
    /** Every state held, self and removed nodes included, in id order. */
    private final NodeTable table = new NodeTable();
    private final Set<NodeId> down = new HashSet<>();
    private NodeState selfState;
    private RingState ring;
    private RingDigest ringDigest;
    private Set<NodeId> removed = Set.of();
    private boolean started;
    private boolean closed;
    private Cancellable timer;
    private boolean ticked;
    private long lastTickNanos;
    /** Something listeners should hear of changed since the last publication. */
    private boolean changed;
    /** A round ran: publish at its end, so the view's heartbeats and this node's own state move once a round. */
    private boolean publishDue;
    private long rounds;
    private long messagesSent;
    private long messagesReceived;
    private long bytesSent;
    private long bytesReceived;
    private long statesMerged;
    private long heartbeatsMerged;
    private long ringStatesAdopted;
    private long convictions;
    private long rejoins;
    private long refusedSyns;
    private long malformed;
    private long failedExchanges;
    private long listenerFailures;

    private volatile MembershipView view;
    private volatile GossipStats stats;

    /**
     * A stopped agent; {@link #start()} starts its rounds, and the owner installs {@link #handler()} on the
     * transport (alone, or with the handlers of other opcodes). {@code initialSelf} is this node's state (a restart
     * must bring a greater generation); {@code initialRing} the ring state it holds, or null; {@code seeds} may
     * contain this node's own id (ignored).
     */
    public Gossiper(NodeState initialSelf, RingState initialRing, List<NodeId> seeds, String clusterName,
            Transport transport, Scheduler scheduler, Clock clock, GossipConfig config, Random random) {
        Objects.requireNonNull(initialSelf, "initialSelf");
        this.self = initialSelf.id();
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
        GossipSyn.checkCluster(clusterName);
        this.transport = Objects.requireNonNull(transport, "transport");
        if (!transport.self().equals(self)) {
            throw new IllegalArgumentException("the transport speaks for " + transport.self() + ", not " + self);
        }
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
        Set<NodeId> distinct = new LinkedHashSet<>(Objects.requireNonNull(seeds, "seeds"));
        distinct.remove(self);
        this.seeds = List.copyOf(distinct);
        this.detector = new PhiAccrualDetector(config.detector());
        this.intervalNanos = config.interval().toNanos();
        this.pauseThresholdNanos = config.detector().pauseThreshold().toNanos();
        this.timeoutMillis = config.messageTimeout().toMillis();
        this.availableAfterHeartbeatNanos = detector.availableForNanosAfterHeartbeat();
        this.selfState = initialSelf;
        table.putOwn(initialSelf);
        if (initialRing != null) {
            adoptRing(initialRing);
            ringStatesAdopted = 0;
        }
        publish(clock.nanoTime());
        stats = snapshot();
    }

    public NodeId self() {
        return self;
    }

    public GossipConfig config() {
        return config;
    }

    /** The latest published membership; safe from any thread. */
    public MembershipView view() {
        return view;
    }

    /** The latest published counters; safe from any thread. */
    public GossipStats stats() {
        return stats;
    }

    /** Calls {@code listener} on the agent after each change of membership, liveness or ring state. */
    public void addListener(Consumer<MembershipView> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Consumer<MembershipView> listener) {
        listeners.remove(listener);
    }

    /**
     * Serves GOSSIP_SYN and GOSSIP_ACK2; any other opcode gets UNKNOWN_OPCODE. Non-blocking for both: serving one
     * only queues it on the agent, so a transport may call it on its I/O thread.
     */
    public RequestHandler handler() {
        return new RequestHandler() {
            @Override
            public CompletableFuture<Message> handle(NodeId from, Message request) {
                return Gossiper.this.handle(from, request);
            }

            @Override
            public boolean nonBlocking(int opcode) {
                return GossipOpcodes.isGossip(opcode);
            }
        };
    }

    /** Starts the rounds (once; a closed agent stays closed). */
    public void start() {
        hop(() -> {
            if (!started && !closed) {
                started = true;
                // A random first delay: nodes started together must not gossip in step.
                timer = scheduler.schedule(() -> run(this::round), random.nextLong(intervalNanos),
                        TimeUnit.NANOSECONDS);
            }
        });
    }

    /** Stops the rounds; requests arriving afterwards get UNAVAILABLE. Idempotent. */
    @Override
    public void close() {
        hop(() -> {
            closed = true;
            if (timer != null) {
                timer.cancel();
            }
        });
    }

    /**
     * Changes this node's own state, for its owner (status, received partitions, removals, commit token): the
     * result must be a later version of the same node and generation, as the {@link NodeState} withers make it.
     * Completes with the new state, or fails with the IllegalArgumentException that rejected it.
     */
    public CompletableFuture<NodeState> updateSelf(UnaryOperator<NodeState> change) {
        Objects.requireNonNull(change, "change");
        CompletableFuture<NodeState> result = new CompletableFuture<>();
        hop(() -> {
            try {
                NodeState next = change.apply(selfState);
                if (next == null || !next.id().equals(self) || next.generation() != selfState.generation()
                        || next.version() <= selfState.version()) {
                    throw new IllegalArgumentException("an update of " + self + " must keep its id and generation "
                            + selfState.generation() + " and raise its version " + selfState.version() + ": " + next);
                }
                if (!next.sameContentAs(selfState)) {
                    changed = true;
                }
                setSelf(next);
                result.complete(next);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, result);
        return result;
    }

    /**
     * Adopts {@code offered}, a ring state made on this node (by the claimant), if it supersedes the one held;
     * gossip spreads it from there. Completes with whether it was adopted.
     */
    public CompletableFuture<Boolean> offerRing(RingState offered) {
        Objects.requireNonNull(offered, "offered");
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        hop(() -> result.complete(adoptRing(offered)), result);
        return result;
    }

    // ---- the agent ----

    private void round() {
        if (closed) {
            return;
        }
        timer = scheduler.schedule(() -> run(this::round), intervalNanos, TimeUnit.NANOSECONDS);
        long now = clock.nanoTime();
        tick(now);
        rounds++;
        setSelf(ring != null && selfState.ringVersion() != ring.version()
                ? selfState.withRingVersion(ring.version()) : selfState.next());
        List<NodeId> live = new ArrayList<>();
        List<NodeId> unreachable = new ArrayList<>();
        for (NodeTable.Entry e : table.inOrder()) {
            NodeId node = e.id;
            // Identity for self (its entry holds this very id) and emptiness first: a round walks every entry,
            // and in a large simulation each needless look at an id's characters is a cache miss.
            if (node == self || isRemoved(node)) {
                continue;
            }
            boolean recent = e.lastHeardNanos != 0 && now - e.lastHeardNanos < availableAfterHeartbeatNanos;
            if (!recent && !detector.isAvailable(node, now) && down.add(node)) {
                convictions++;
                changed = true;
            }
            (!down.isEmpty() && down.contains(node) ? unreachable : live).add(node);
        }
        List<NodeId> seedsNow = removed.isEmpty() ? seeds
                : seeds.stream().filter(s -> !removed.contains(s)).toList();
        List<NodeId> peers = PeerSelection.choose(live, unreachable, seedsNow, random);
        if (!peers.isEmpty()) {
            Message syn = GossipSyn.encode(clusterName, ringDigest, digests());
            for (NodeId peer : peers) {
                sendSyn(peer, syn);
            }
        }
        publishDue = true;
    }

    private List<Digest> digests() {
        NodeTable.Entry[] in = table.inOrder();
        List<Digest> out = new ArrayList<>(in.length);
        for (NodeTable.Entry e : in) {
            if (!isRemoved(e.id)) {
                out.add(e.digest());
            }
        }
        return out;
    }

    /** The entries this node gossips about: all but the removed, in id order. */
    private List<NodeTable.Entry> gossiped() {
        NodeTable.Entry[] in = table.inOrder();
        if (removed.isEmpty()) {
            return Arrays.asList(in);
        }
        List<NodeTable.Entry> out = new ArrayList<>(in.length);
        for (NodeTable.Entry e : in) {
            if (!removed.contains(e.id)) {
                out.add(e);
            }
        }
        return out;
    }

    private void sendSyn(NodeId peer, Message syn) {
        sent(syn);
        request(peer, syn).whenComplete((reply, failure) -> hop(() -> onAck(peer, reply, failure)));
    }

    private void onAck(NodeId peer, Message reply, Throwable failure) {
        if (closed) {
            return;
        }
        if (failure != null) {
            failedExchanges++;
            return;
        }
        received(reply);
        GossipAck ack;
        try {
            ack = GossipAck.decode(reply.bodyUnsafe(), table::content);
        } catch (MalformedEncodingException e) {
            malformed++;
            return;
        }
        long now = clock.nanoTime();
        merge(ack.states(), now);
        mergeHeartbeats(ack.heartbeats(), now);
        if (ack.ring() != null) {
            adoptRing(ack.ring());
        }
        GossipAck2 ack2 = Exchange.ack2(clusterName, table::entry, id -> removed.contains(id), ring, ack,
                config.maxStatesPerMessage(), random);
        if (ack2.isEmpty()) {
            return; // nothing was asked for: the exchange ends here
        }
        Message m = ack2.encode();
        sent(m);
        request(peer, m).whenComplete((done, err) -> hop(() -> {
            if (err != null) {
                failedExchanges++;
            }
        }));
    }

    private CompletableFuture<Message> request(NodeId peer, Message m) {
        try {
            return transport.request(peer, m, timeoutMillis);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Message> handle(NodeId from, Message request) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        if (!GossipOpcodes.isGossip(request.opcode())) {
            reply.completeExceptionally(new ChorusException(ErrorCode.UNKNOWN_OPCODE,
                    String.format("opcode 0x%04x is not a gossip opcode", request.opcode())));
            return reply;
        }
        hop(() -> {
            try {
                reply.complete(serve(from, request));
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        }, reply);
        return reply;
    }

    private Message serve(NodeId from, Message request) {
        if (closed) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, self + " stopped gossiping");
        }
        received(request);
        Message reply;
        if (request.opcode() == GossipOpcodes.GOSSIP_SYN) {
            GossipSyn syn = decode(() -> GossipSyn.decode(request.bodyUnsafe()));
            refuseForeign(from, syn.cluster());
            // Every digest is a heartbeat its sender heard: taken first, liveness needs no reply to get through.
            mergeHeartbeats(syn.digests(), clock.nanoTime());
            reply = Exchange.ack(gossiped(), this::unwanted, ring, ringDigest, syn, config.maxStatesPerMessage(),
                    random).encode();
        } else {
            GossipAck2 ack2 = decode(() -> GossipAck2.decode(request.bodyUnsafe(), table::content));
            refuseForeign(from, ack2.cluster());
            long now = clock.nanoTime();
            merge(ack2.states(), now);
            mergeHeartbeats(ack2.heartbeats(), now);
            if (ack2.ring() != null) {
                adoptRing(ack2.ring());
            }
            reply = Message.adopt(GossipOpcodes.GOSSIP_ACK2, new byte[0]);
        }
        sent(reply);
        return reply;
    }

    private <T> T decode(Supplier<T> decoder) {
        try {
            return decoder.get();
        } catch (MalformedEncodingException e) {
            malformed++;
            throw new ChorusException(ErrorCode.BAD_REQUEST, "gossip message does not decode: " + e.getMessage(), e);
        }
    }

    /** Nothing of another cluster (or of this node talking to itself through a seed address) is merged. */
    private void refuseForeign(NodeId from, String cluster) {
        if (!cluster.equals(clusterName)) {
            refusedSyns++;
            throw new ChorusException(ErrorCode.BAD_REQUEST, from + " gossips for cluster '" + cluster + "', "
                    + self + " belongs to '" + clusterName + "'");
        }
        if (from.equals(self)) {
            refusedSyns++;
            throw new ChorusException(ErrorCode.BAD_REQUEST, self + " does not gossip with itself");
        }
    }

    private void merge(List<SentState> incoming, long now) {
        for (SentState sent : incoming) {
            NodeState s = sent.state();
            NodeId id = s.id();
            if (unwanted(id)) {
                continue;
            }
            NodeTable.Take take = table.take(sent);
            if (take == NodeTable.Take.NOTHING) {
                continue;
            }
            if (take == NodeTable.Take.CONTENT) {
                statesMerged++;
                changed = true;
            } else {
                heartbeatsMerged++;
            }
            heardFrom(table.entry(id), now);
        }
    }

    /** Heartbeats count in the generation held; a newer one waits for its full state. */
    private void mergeHeartbeats(List<Digest> incoming, long now) {
        for (Digest d : incoming) {
            if (unwanted(d.node()) || !table.heartbeat(d)) {
                continue;
            }
            heartbeatsMerged++;
            heardFrom(table.entry(d.node()), now);
        }
    }

    /** Something newer of {@code id} was taken: a heartbeat of it for the detector, first- or second-hand. */
    private void heardFrom(NodeTable.Entry e, long now) {
        NodeId id = e.id;
        e.lastHeardNanos = now;
        detector.heartbeat(id, now);
        if (!down.isEmpty() && down.contains(id) && detector.isAvailable(id, now)) {
            down.remove(id);
            rejoins++;
            changed = true;
        }
    }

    /** States never taken: this node's own (only it speaks for itself) and the removed nodes'. */
    private boolean unwanted(NodeId node) {
        return node.equals(self) || isRemoved(node);
    }

    private boolean isRemoved(NodeId node) {
        return !removed.isEmpty() && removed.contains(node);
    }

    private boolean adoptRing(RingState received) {
        // Not simply the greater: two states of one ring change keep the done partitions of both.
        RingState offered = RingState.reconcile(ring, received);
        if (offered.equals(ring)) {
            return false;
        }
        ring = offered;
        ringDigest = RingDigest.of(offered);
        ringStatesAdopted++;
        changed = true;
        removed = Set.copyOf(offered.removed());
        for (NodeId node : removed) {
            detector.remove(node);
            down.remove(node);
        }
        if (selfState.ringVersion() != offered.version()) {
            setSelf(selfState.withRingVersion(offered.version()));
        }
        return true;
    }

    private void setSelf(NodeState next) {
        selfState = next;
        table.putOwn(next);
    }

    private void tick(long now) {
        detector.tick(now);
        ticked = true;
        lastTickNanos = now;
    }

    // ---- tasks ----

    /** Queues {@code body} on the agent; a scheduler that refuses (it was shut down) leaves it undone. */
    private void hop(Runnable body) {
        try {
            scheduler.execute(() -> run(body));
        } catch (RejectedExecutionException stopped) {
            // The node is shutting down: nothing more to do.
        }
    }

    /** As {@link #hop(Runnable)}, failing {@code result} if the task cannot be queued. */
    private void hop(Runnable body, CompletableFuture<?> result) {
        try {
            scheduler.execute(() -> run(body));
        } catch (RejectedExecutionException stopped) {
            result.completeExceptionally(new ChorusException(ErrorCode.UNAVAILABLE, self + " is shutting down",
                    stopped));
        }
    }

    /** Every task on the agent: the pause guard first, publication last. */
    private void run(Runnable body) {
        long now = clock.nanoTime();
        if (ticked && now - lastTickNanos > pauseThresholdNanos) {
            tick(now);
        }
        try {
            body.run();
        } finally {
            if (changed || publishDue) {
                publish(clock.nanoTime());
            }
            stats = snapshot();
        }
    }

    private void publish(long now) {
        MembershipView v = new MembershipView(self, table.ids(), table.contents(), table.heartbeats(), ring, down,
                now);
        view = v;
        publishDue = false;
        if (changed) {
            changed = false;
            for (Consumer<MembershipView> listener : listeners) {
                try {
                    listener.accept(v);
                } catch (RuntimeException e) {
                    listenerFailures++;
                }
            }
        }
    }

    private GossipStats snapshot() {
        return new GossipStats(rounds, messagesSent, messagesReceived, bytesSent, bytesReceived, statesMerged,
                heartbeatsMerged, ringStatesAdopted, convictions, rejoins, detector.outagesEnded(),
                detector.pausesDetected(), refusedSyns, malformed, failedExchanges, listenerFailures);
    }

    private void sent(Message m) {
        messagesSent++;
        bytesSent += m.bodyLength();
    }

    private void received(Message m) {
        messagesReceived++;
        bytesReceived += m.bodyLength();
    }

    @Override
    public String toString() {
        return "Gossiper[" + self + ", " + view + "]";
    }
}
