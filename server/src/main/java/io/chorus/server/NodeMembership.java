package io.chorus.server;

import io.chorus.coordinator.ClusterMembership;
import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.gossip.Claimant;
import io.chorus.gossip.GossipConfig;
import io.chorus.gossip.Gossiper;
import io.chorus.gossip.MembershipView;
import io.chorus.gossip.NodeState;
import io.chorus.gossip.NodeStatus;
import io.chorus.gossip.Plan;
import io.chorus.transport.netty.NettyTransport;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's membership: its gossip agent, its claimant, its own status rules, and what of it survives a restart
 * (the ring state, its handoff progress). The server composes one per node; the coordinator routes by
 * {@link #ring()}, handoff uses {@link #clusterMembership()}, the admin opcodes call the methods below.
 *
 * <p><b>Duties</b>, once a gossip interval on the node's scheduler: adopt and persist a newer ring state; JOINING
 * becomes UP once the node is in the target ring; removals already carried out are forgotten; the claimant's step
 * (only the claimant acts); a node that finds itself removed tells its owner, which stops it. A node created to
 * start a cluster makes the first ring (of itself) unless gossip brought one within two intervals.
 *
 * <p>Thread-safety: duties and the gossip agent run on the scheduler (one thread); the accessors read immutable
 * snapshots; admin calls hop onto the agent through {@link Gossiper#updateSelf}.
 */
final class NodeMembership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeMembership.class);
    static final String RING_FILE = "ring.state";
    static final String HANDOFF_FILE = "handoff.state";
    /** How long an admin COMMIT waits for the claimant to act on it and gossip to bring the result back. */
    static final long COMMIT_WAIT_MILLIS = 30_000;

    /**
     * What makes a node's membership.
     *
     * @param createsCluster whether this node makes the first ring when none is known (it is its own first seed)
     * @param initialMembers when not empty, the members of the first ring, this node among them: every one of them
     *                       makes the same ring state at once (one claim of the sorted list), so a cluster whose
     *                       members are known in advance (the embedded cluster) starts without a join
     * @param partitions     Q of a ring this node creates
     * @param replicas       the cluster's N, for plans the claimant commits
     */
    record Settings(String clusterName, NodeId self, long generation, String zone, String clientAddress,
            String peerAddress, Path dataDir, List<NodeId> seeds, boolean createsCluster, List<Member> initialMembers,
            int partitions,
            int replicas, GossipConfig gossip, Claimant.Config claimant) {
    }

    private volatile Settings settings;
    /** Replaced only by {@link #join}: a node that joins another cluster starts its gossip afresh. */
    private volatile Gossiper gossiper;
    private final Transport transport;
    /** Where file writes that a caller must not wait for run (the node's dispatch pool). */
    private final java.util.concurrent.Executor io;
    private final Random random;
    private final List<Consumer<MembershipView>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Function<HostPort, NodeId> seedIds = h -> NodeId.of(NettyTransport.SEED_PREFIX + h);
    private volatile java.util.function.BooleanSupplier holdsData = () -> false;
    private final Claimant claimant;
    /** A member counts toward a commit's majority if heard from within this many gossip intervals. */
    static final int HEARD_LATELY_INTERVALS = 5;
    /** A restarted node that has heard no peer for this many gossip intervals routes by its stored ring state. */
    static final int TRUST_STORED_AFTER_INTERVALS = 3;
    private final io.chorus.gossip.HeartbeatWatch heartbeats = new io.chorus.gossip.HeartbeatWatch();
    private final Scheduler scheduler;
    private final Clock clock;
    private final long startNanos;
    private volatile RingState ring;
    private volatile RingState persisted;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile Runnable onRemoved = () -> { };
    private boolean removedAnnounced;
    private Cancellable timer;
    private boolean closed;
    // Guarded by this: the handoff progress published, as persisted.
    private long handoffTarget;
    private BitSet handoffBits = new BitSet();

    NodeMembership(Settings settings, Transport transport, Scheduler scheduler, Clock clock, Random random,
            java.util.concurrent.Executor io) {
        this.settings = settings;
        this.io = io;
        this.transport = transport;
        this.random = random;
        this.scheduler = scheduler;
        this.clock = clock;
        this.startNanos = clock.nanoTime();
        Path dir = settings.dataDir();
        RingState stored = DurableFiles.read(dir.resolve(RING_FILE)).map(RingStateCodec::decode).orElse(null);
        boolean freshRing = stored == null;
        if (stored == null && settings.createsCluster() && settings.seeds().isEmpty()) {
            // Nobody else to ask: a cluster of this node, at once (another node's seeds may bring it more).
            stored = RingState.initial(settings.self(), settings.replicas(), Claim.create(
                    List.of(new Member(settings.self(), settings.zone())), settings.partitions()));
            DurableFiles.write(dir.resolve(RING_FILE), RingStateCodec.encode(stored));
            LOG.info("{}: no other seeds; creating cluster '{}' with Q = {}", settings.self(),
                    settings.clusterName(), settings.partitions());
        }
        if (stored == null && !settings.initialMembers().isEmpty()) {
            List<Member> sorted = new ArrayList<>(settings.initialMembers());
            sorted.sort((a, b) -> a.id().compareTo(b.id()));
            stored = RingState.initial(sorted.get(0).id(), settings.replicas(),
                    Claim.create(sorted, settings.partitions()));
            DurableFiles.write(dir.resolve(RING_FILE), RingStateCodec.encode(stored));
        }
        this.ring = stored;
        this.persisted = stored;
        DurableFiles.read(dir.resolve(HANDOFF_FILE)).filter(bytes -> {
            if (bytes.length < 8) {
                LOG.warn("{}: ignoring {} ({} bytes, too short): handoff progress starts again", settings.self(),
                        HANDOFF_FILE, bytes.length);
                return false;
            }
            return true;
        }).ifPresent(bytes -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            handoffTarget = b.getLong();
            byte[] bits = new byte[b.remaining()];
            b.get(bits);
            handoffBits = BitSet.valueOf(bits);
        });
        NodeStatus status = NodeStatus.JOINING;
        if (stored != null && stored.to().contains(settings.self())) {
            status = NodeStatus.UP;
        } else if (stored != null && stored.from().contains(settings.self())) {
            status = NodeStatus.LEAVING; // restarted while handing off after its leave was committed
        }
        NodeState self = NodeState.starting(settings.self(), settings.generation(), status, settings.zone(),
                settings.clientAddress(), settings.peerAddress());
        if (stored != null) {
            self = self.withRingVersion(stored.version());
        }
        if (handoffTarget != 0) {
            self = self.withReceived(handoffTarget, handoffBits);
        }
        this.claimant = new Claimant(settings.self(), settings.claimant());
        listeners.add(new MembershipLog(settings.self()));
        // Route by a new ring state as soon as gossip brings it, not at the next duty.
        listeners.add(v -> {
            if (v.ring() != null) {
                adopt(v.ring());
                // Heard a live peer: the ring state held is now as fresh as theirs, or about to be.
                if (v.liveMembers().size() > 1) {
                    ready.complete(null);
                }
            }
        });
        // A ring made in this very start (the first one, or from the configured members), or a ring of this
        // node alone, cannot be stale.
        if (stored != null && (freshRing || stored.to().size() == 1 && stored.to().contains(settings.self()))) {
            ready.complete(null);
        }
        this.gossiper = gossiper(self, stored, settings.seeds());
    }

    private Gossiper gossiper(NodeState self, RingState ring, List<NodeId> seeds) {
        Gossiper g = new Gossiper(self, ring, seeds, settings.clusterName(), transport, scheduler, clock,
                settings.gossip(), random);
        listeners.forEach(g::addListener);
        return g;
    }

    /** How JOIN names a seed address for the transport (the owner registers the address), and sees data. */
    void joinSupport(java.util.function.Function<HostPort, NodeId> seedIds,
            java.util.function.BooleanSupplier holdsData) {
        this.seedIds = seedIds;
        this.holdsData = holdsData;
    }

    void onRemoved(Runnable action) {
        this.onRemoved = Objects.requireNonNull(action, "action");
    }

    /** Serves the gossip opcodes. */
    RequestHandler handler() {
        return gossiper.handler();
    }

    void addListener(Consumer<MembershipView> listener) {
        listeners.add(listener);
        gossiper.addListener(listener);
    }

    synchronized void start() {
        gossiper.start();
        if (!closed && timer == null) {
            timer = scheduler.schedule(this::duties, settings.gossip().interval().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        gossiper.close();
    }

    /**
     * The ring state this node routes by, or null before it has one it may trust: a node still joining, or a node
     * restarted on a stored ring state that has not heard a live peer since (the ring may have changed while it
     * was down; routing by the stale one would put writes on nodes that are no replicas any more).
     */
    RingState ring() {
        return ready.isDone() ? ring : null;
    }

    /** The ring state held, trusted or not yet: for serving other nodes' replica requests and routing hints. */
    RingState heldRing() {
        return ring;
    }

    /** Completes once {@link #ring()} is not null. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    MembershipView view() {
        return gossiper.view();
    }

    Gossiper gossiper() {
        return gossiper;
    }

    private void duties() {
        try {
            duty();
        } catch (RuntimeException e) {
            LOG.warn("{}: membership duties failed", settings.self(), e);
        } finally {
            synchronized (this) {
                timer = closed ? null : scheduler.schedule(this::duties, settings.gossip().interval().toNanos(),
                        TimeUnit.NANOSECONDS);
            }
        }
    }

    private void duty() {
        MembershipView view = gossiper.view();
        RingState current = view.ring();
        NodeId self = settings.self();
        if (current == null) {
            long waited = clock.nanoTime() - startNanos;
            if (settings.createsCluster() && waited >= 2 * settings.gossip().interval().toNanos()) {
                RingState first = RingState.initial(self, settings.replicas(),
                        Claim.create(List.of(new Member(self, settings.zone())), settings.partitions()));
                LOG.info("{}: no cluster found through the seeds; creating cluster '{}' with Q = {}", self,
                        settings.clusterName(), settings.partitions());
                gossiper.offerRing(first).thenRun(() -> ready.complete(null));
            }
            return;
        }
        adopt(current);
        if (!ready.isDone() && clock.nanoTime() - startNanos >= TRUST_STORED_AFTER_INTERVALS
                * settings.gossip().interval().toNanos()) {
            // Nobody answered: the peers are down too (a whole cluster restarting), so no newer ring is being
            // served either. Route by the stored one; gossip corrects it as soon as a peer is back.
            LOG.warn("{}: no live peer heard since start; routing by the stored ring state (version {})",
                    settings.self(), current.version());
            ready.complete(null);
        }
        NodeState mine = view.selfState();
        if (view.selfRemoved()) {
            if (!removedAnnounced) {
                removedAnnounced = true;
                LOG.warn("{}: this node is no longer a member of cluster '{}' (ring version {})", self,
                        settings.clusterName(), current.version());
                onRemoved.run();
            }
            return;
        }
        if (mine.status() == NodeStatus.JOINING && current.to().contains(self)) {
            gossiper.updateSelf(s -> s.withStatus(NodeStatus.UP));
            LOG.info("{}: joined the ring (version {})", self, current.version());
        }
        SortedSet<NodeId> removals = new TreeSet<>(mine.removals());
        if (removals.removeIf(n -> !current.to().contains(n))) {
            gossiper.updateSelf(s -> s.withRemovals(removals));
        }
        long now = clock.nanoTime();
        heartbeats.observe(view, now);
        long window = HEARD_LATELY_INTERVALS * settings.gossip().interval().toNanos();
        RingState next = claimant.step(current, view.states(), view::isAlive,
                n -> heartbeats.heardWithin(n, window, now), now);
        if (next != null) {
            LOG.info("{} (claimant): {}", self, next);
            gossiper.offerRing(next).thenAccept(adopted -> {
                if (adopted) {
                    adopt(next);
                }
            });
        }
    }

    /** Routes by {@code state} from now on, and persists it: a restarted node knows its ring without gossip. */
    private void adopt(RingState state) {
        ring = RingState.reconcile(ring, state);
        // By content, not version: after a claimant race the winner may carry the loser's version.
        if (!ring.equals(persisted)) {
            RingState persist = ring;
            DurableFiles.write(settings.dataDir().resolve(RING_FILE), RingStateCodec.encode(persist));
            persisted = persist;
        }
    }

    // ---- handoff's view ----

    ClusterMembership clusterMembership() {
        return new ClusterMembership() {
            @Override
            public RingState ring() {
                return NodeMembership.this.ring();
            }

            @Override
            public boolean isAlive(NodeId node) {
                return gossiper.view().isAlive(node);
            }

            @Override
            public boolean allHaveSeen(long version) {
                MembershipView v = gossiper.view();
                RingState r = ring;
                for (NodeId n : r.allMembers()) {
                    NodeState s = v.state(n);
                    if (v.isAlive(n) && (s == null || s.ringVersion() < version)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public void publishFinished(long targetId, BitSet partitions) {
                // The caller may be a storage writer or an event loop: the fsync happens elsewhere.
                io.execute(() -> publish(targetId, partitions));
            }

            private void publish(long targetId, BitSet partitions) {
                BitSet all;
                synchronized (NodeMembership.this) {
                    // Unions, never replacements: two partitions finishing at once publish from two threads,
                    // and the later publication may carry the smaller set.
                    if (handoffTarget != targetId) {
                        handoffTarget = targetId;
                        handoffBits = new BitSet();
                    }
                    handoffBits.or(partitions);
                    all = (BitSet) handoffBits.clone();
                    byte[] bits = all.toByteArray();
                    DurableFiles.write(settings.dataDir().resolve(HANDOFF_FILE),
                            ByteBuffer.allocate(8 + bits.length).putLong(targetId).put(bits).array());
                }
                gossiper.updateSelf(s -> {
                    BitSet merged = s.handoffVersion() == targetId ? s.received() : new BitSet();
                    merged.or(all);
                    return s.withReceived(targetId, merged);
                });
            }

            @Override
            public BitSet published(long targetId) {
                synchronized (NodeMembership.this) {
                    return handoffTarget == targetId ? (BitSet) handoffBits.clone() : new BitSet();
                }
            }
        };
    }

    // ---- admin ----

    /** The plan the claimant would commit now, as this node sees it, and the claimant's name (null: none). */
    Plan plan() {
        RingState current = requireRing();
        MembershipView v = gossiper.view();
        return Claimant.plan(current, v.states(), v::isAlive);
    }

    NodeId claimantName() {
        RingState current = ring;
        MembershipView v = gossiper.view();
        return current == null ? null : Claimant.claimantOf(current, v.states(), v::isAlive);
    }

    /**
     * Joins the cluster {@code seed} belongs to (Riak's {@code cluster join}): only a node that is in no cluster,
     * or alone in a cluster of its own and holding no data, may; its gossip starts again through the seed, as a
     * staged join (the claimant commits it by itself with auto-commit, or on COMMIT).
     */
    CompletableFuture<Void> join(HostPort seed) {
        // On the agent's thread, like every other change of the ring field and the gossip agent.
        CompletableFuture<Void> done = new CompletableFuture<>();
        scheduler.execute(() -> {
            try {
                done.complete(joinNow(seed));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private Void joinNow(HostPort seed) {
        RingState current = ring;
        NodeId self = settings.self();
        if (current != null && !(current.to().size() == 1 && current.to().contains(self) && current.settled())) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, self + " is already a member of a cluster of "
                    + current.to().size() + " nodes: it leaves that first");
        }
        if (current != null && holdsData.getAsBoolean()) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, self + " holds data of its own cluster: a node joins"
                    + " another cluster only empty (wipe its data directory first)");
        }
        if (seed.toString().equals(settings.peerAddress())) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, seed + " is this node itself");
        }
        NodeId seedId = seedIds.apply(seed);
        Gossiper old = gossiper;
        old.close();
        java.nio.file.Path file = settings.dataDir().resolve(RING_FILE);
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot forget the ring state in " + file, e);
        }
        ring = null;
        persisted = null;
        // A generation above any this node had: the cluster joined has never heard of it, but its own restarts
        // must still count upwards from here.
        long generation = Math.max(settings.generation() + 1, clock.currentTimeMillis() / 1000 + 1);
        Settings s = settings;
        settings = new Settings(s.clusterName(), s.self(), generation, s.zone(), s.clientAddress(), s.peerAddress(),
                s.dataDir(), List.of(seedId), false, List.of(), s.partitions(), s.replicas(), s.gossip(),
                s.claimant());
        NodeState fresh = NodeState.starting(self, generation, NodeStatus.JOINING, s.zone(), s.clientAddress(),
                s.peerAddress());
        gossiper = gossiper(fresh, null, List.of(seedId));
        gossiper.start();
        LOG.info("{}: joining the cluster of {} (generation {})", self, seed, generation);
        return null;
    }

    /** Stages this node's leave. */
    CompletableFuture<Void> leave() {
        RingState current = requireRing();
        if (!current.to().contains(settings.self())) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, settings.self() + " is not a member of the ring");
        }
        if (current.to().size() == 1) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, settings.self() + " is the last member: nothing to"
                    + " hand its partitions to");
        }
        return gossiper.updateSelf(s -> s.withStatus(NodeStatus.LEAVING)).thenApply(s -> null);
    }

    /** Stages the removal of a dead member. */
    CompletableFuture<Void> remove(NodeId node) {
        RingState current = requireRing();
        if (!current.to().contains(node)) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, node + " is not a member of the ring");
        }
        MembershipView v = gossiper.view();
        // Only a node this one has heard of and convicted: one it has not heard from yet may well be alive.
        if (node.equals(settings.self()) || !v.knows(node) || v.isAlive(node)) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, node + " is alive: a live node leaves (LEAVE on it);"
                    + " only a dead node is removed");
        }
        return gossiper.updateSelf(s -> {
            SortedSet<NodeId> r = new TreeSet<>(s.removals());
            r.add(node);
            return s.withRemovals(r);
        }).thenApply(s -> null);
    }

    /**
     * Asks the claimant to commit the plan named {@code token} (0: whatever this node plans now); completes with
     * the committed ring-state version once gossip brings it back.
     */
    CompletableFuture<Long> commit(long token) {
        Plan plan = plan();
        if (plan.isEmpty()) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "nothing is staged: no join, leave or removal");
        }
        if (token != 0 && token != plan.token()) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "the plan changed since it was shown; plan again");
        }
        if (!plan.committable()) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "the plan cannot be committed: " + plan.problem());
        }
        CompletableFuture<Long> committed = new CompletableFuture<>();
        Consumer<MembershipView> watch = v -> {
            RingState r = v.ring();
            if (r != null && r.version() > plan.baseVersion()) {
                committed.complete(r.version());
            }
        };
        gossiper.addListener(watch);
        Cancellable timeout = scheduler.schedule(() -> committed.completeExceptionally(new ChorusException(
                ErrorCode.TIMEOUT, "the claimant " + claimantName() + " did not commit within "
                        + COMMIT_WAIT_MILLIS + " ms" + (claimant.lastProblem() == null ? ""
                                : ": " + claimant.lastProblem()))), COMMIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        gossiper.updateSelf(s -> s.withCommitToken(plan.token()));
        return committed.whenComplete((v, t) -> {
            timeout.cancel();
            gossiper.removeListener(watch);
        });
    }

    private RingState requireRing() {
        RingState current = ring;
        if (current == null) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, settings.self() + " is not a member of a cluster yet");
        }
        return current;
    }

}
