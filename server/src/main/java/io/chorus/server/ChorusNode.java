package io.chorus.server;

import io.chorus.coordinator.AntiEntropy;
import io.chorus.coordinator.AntiEntropyStats;
import io.chorus.coordinator.BudgetStats;
import io.chorus.coordinator.CoordinatorStats;
import io.chorus.coordinator.HandoffStats;
import io.chorus.gossip.GossipStats;
import io.chorus.server.metrics.NodeMetrics;
import io.chorus.storage.StorageStats;
import io.chorus.transport.netty.TransportStats;
import io.chorus.coordinator.Handoff;
import io.chorus.coordinator.HandoffConfig;
import io.chorus.core.transport.RequestHandler;
import io.chorus.gossip.Claimant;
import java.util.ArrayList;
import java.util.Random;
import io.chorus.coordinator.Coordinator;
import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.storage.ShardedStorageEngine;
import io.chorus.storage.StorageConfig;
import io.chorus.storage.StorageEngine;
import io.chorus.transport.netty.ChorusServer;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.netty.NettyTransport;
import io.chorus.transport.netty.ServerConfig;
import io.chorus.transport.auth.Authenticator;
import io.chorus.transport.auth.UserAuthenticator;
import io.chorus.transport.auth.UserTable;
import io.chorus.transport.auth.UsersFile;
import io.chorus.server.security.AuthConfig;
import io.chorus.transport.protocol.ProtocolLimits;
import io.chorus.transport.tls.TlsContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Chorus node: the composition root that wires its LMDB store, its Netty server (one port for clients and
 * peers, or a second one for peers: {@link NodeConfig#peerListen()}), its node-to-node transport, its coordinator
 * and its timers. Nothing is static, so many nodes run in one JVM ({@link EmbeddedCluster}).
 *
 * <p>Threads: Netty event loops do I/O and the short, non-blocking steps of requests (decoding and queueing a write,
 * counting replies, answering); whatever reads the store runs on the node's dispatch pool; LMDB writes on the
 * storage engine's writer; deadlines on a timer wheel ({@link WheelScheduler}). {@link #start()} and
 * {@link #stop()} are synchronized (they run once each, at the edges of the node's life); everything else is
 * thread-safe through the parts.
 */
public final class ChorusNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChorusNode.class);

    /** The users file this run reads, or null without one. */
    private UsersFile usersFile;
    private final NodeConfig config;
    private final AddressBook addresses;
    private final EventLoops sharedLoops;
    private final ExecutorService sharedDispatch;
    private final MembershipOptions membershipOptions;
    /** Anti-entropy's ring while the node has none yet (joining): a ring of itself, which syncs with nobody. */
    private final Ring standalone;

    private volatile ShardedStorageEngine storage;
    private WheelScheduler scheduler;
    private ExecutorService dispatch;
    private EventLoops ownLoops;
    private volatile ChorusServer server;
    private NettyTransport transport;
    private volatile Coordinator coordinator;
    private volatile AntiEntropy antiEntropy;
    private volatile Handoff handoff;
    /** This run's certificates, shared by both listeners and the connections to other nodes; null for plaintext. */
    private TlsContext tls;
    private final NodeMetrics metrics;
    private volatile NodeMembership membership;
    private NodeIdentity identity;
    /** By default a node that is no longer a member stops (off its membership's thread, which stop closes). */
    private volatile Runnable onRemoved = () -> new Thread(this::stop, "chorus-removed-stop").start();
    private InetSocketAddress address;
    private InetSocketAddress peerAddress;
    /** The ports bound last: a restarted node takes them again, so peers and clients find it where they knew it. */
    private int lastPort;
    private int lastPeerPort;

    /**
     * A node with its own dispatch pool of {@link NodeConfig#dispatchThreads()} threads.
     *
     * @param addresses   where the other nodes listen; this node adds itself once bound
     * @param sharedLoops event loops to share with other nodes in the JVM, or null for the node's own
     */
    public ChorusNode(NodeConfig config, AddressBook addresses, EventLoops sharedLoops) {
        this(config, addresses, sharedLoops, null);
    }

    /**
     * @param sharedDispatch a dispatch pool to share with other nodes in the JVM (its owner shuts it down), or
     *                       null for the node's own
     */
    public ChorusNode(NodeConfig config, AddressBook addresses, EventLoops sharedLoops,
                      ExecutorService sharedDispatch) {
        this(config, MembershipOptions.staticMembers(), addresses, sharedLoops, sharedDispatch);
    }

    /**
     * @param membership how the node finds its cluster: its configured members as the first ring, or seeds
     */
    public ChorusNode(NodeConfig config, MembershipOptions membership, AddressBook addresses,
                      EventLoops sharedLoops, ExecutorService sharedDispatch) {
        this.config = config;
        this.membershipOptions = membership;
        this.addresses = addresses;
        this.sharedLoops = sharedLoops;
        this.sharedDispatch = sharedDispatch;
        this.standalone = Claim.create(List.of(new Member(config.nodeId(), zone())), config.partitions());
        this.metrics = new NodeMetrics(config.nodeId(), config.metrics());
        bindMetrics();
    }

    /**
     * Once per node: the gauges read the parts of whichever run is current (null, and left out of STATS, while a
     * part is not running).
     */
    private void bindMetrics() {
        metrics.bind("storage", StorageStats.class, () -> storage == null ? null : storage.stats());
        metrics.bind("coordinator", CoordinatorStats.class, () -> coordinator == null ? null : coordinator.stats());
        metrics.bind("budget", BudgetStats.class, () -> coordinator == null ? null : coordinator.budget().stats());
        metrics.bind("transport", TransportStats.class, () -> server == null ? null : server.stats());
        metrics.bind("aae", AntiEntropyStats.class, () -> antiEntropy == null ? null : antiEntropy.stats());
        metrics.bind("handoff", HandoffStats.class, () -> handoff == null ? null : handoff.stats());
        metrics.bind("gossip", GossipStats.class, () -> {
            NodeMembership m = membership;
            return m == null ? null : m.gossiper().stats();
        });
        metrics.gauge("membership.known", () -> {
            NodeMembership m = membership;
            return m == null ? null : (long) m.view().size();
        });
        metrics.gauge("membership.alive", () -> {
            NodeMembership m = membership;
            return m == null ? null : (long) m.view().liveMembers().size();
        });
        metrics.gauge("ring.version", this::ringVersion);
        metrics.gauge("ring.state_version", () -> {
            RingState r = heldRingState();
            return r == null ? 0L : r.version();
        });
        metrics.gauge("ring.partitions_moving", () -> {
            RingState r = heldRingState();
            return r == null ? 0L : (long) r.moving().cardinality();
        });
    }

    /** The node's one metrics registry (STATS, JMX, CSV, Prometheus read it). */
    public NodeMetrics metrics() {
        return metrics;
    }

    private String zone() {
        return config.members().stream().filter(m -> m.id().equals(config.nodeId())).findFirst()
                .map(Member::zone).orElse(Member.NO_ZONE);
    }

    /** Runs when this node learns it was removed from its cluster (it left, or an operator removed it). */
    public void onRemoved(Runnable action) {
        this.onRemoved = action;
    }

    /** Opens the store, binds the port and starts serving; returns the bound address. */
    public synchronized InetSocketAddress start() {
        if (address != null) {
            throw new IllegalStateException(config.nodeId() + " already started on " + address);
        }
        NodeId id = config.nodeId();
        ServerConfig serverConfig = config.limits().applyTo(ServerConfig.defaults(id, this::ringVersion)
                .withHost(config.host()).withPort(lastPort > 0 ? lastPort : config.port()));
        HostPort peerListen = config.peerListen();
        if (peerListen != null) {
            serverConfig = serverConfig.withPeerListener(peerListen.host(),
                    lastPeerPort > 0 ? lastPeerPort : peerListen.port());
        }
        tls = null;
        if (config.tls() != null) {
            try {
                tls = TlsContext.load(config.tls());
            } catch (RuntimeException e) {
                throw new StartupException("cannot load the TLS files of " + id + ": " + e.getMessage(), e);
            }
            serverConfig = serverConfig.withTls(tls);
        }
        if (config.maxUnflushedReplyBytes() > 0) {
            serverConfig = serverConfig.withUnflushedLimits(serverConfig.maxUnflushedPerConnection(),
                    config.maxUnflushedReplyBytes());
        }
        // Before the store opens: a directory of another cluster or node is refused untouched. Every start takes
        // a greater generation, so gossip tells this run's news from the last one's.
        try {
            java.nio.file.Files.createDirectories(config.dataDir());
        } catch (java.io.IOException e) {
            throw new StartupException("cannot create data directory " + config.dataDir() + ": " + e, e);
        }
        identity = NodeIdentity.loadOrCreate(config.dataDir(), config.clusterName(), id, config.partitions(),
                Clock.system());
        // After the identity check (a directory of another node is the first thing to fix), before the store.
        Authenticator clients = clientAuthenticator(config);
        // A stored set must fit in every message that carries one, or a write could be stored here and then
        // never reach the other replicas or a reader.
        storage = ShardedStorageEngine.open(StorageConfig.builder(config.dataDir()).durability(config.durability())
                .maxObjectSize(ProtocolLimits.maxStoredObjectBytes(serverConfig.maxFrameBytes()))
                .batchObserver(metrics.batches()).build(), config.storageShards());
        // The parts of the last run are closed; forget them so that a start failing half way closes only its own.
        scheduler = null;
        dispatch = null;
        server = null;
        transport = null;
        coordinator = null;
        antiEntropy = null;
        handoff = null;
        membership = null;
        try {
            startParts(id, serverConfig, peerListen, clients);
        } catch (RuntimeException | Error e) {
            abandonStart();
            throw e;
        }
        return address;
    }

    /**
     * The users file read now (a broken one stops the start, naming the line), and the warnings an operator must
     * see: anonymous access, or passwords on connections without TLS.
     */
    private Authenticator clientAuthenticator(NodeConfig config) {
        AuthConfig auth = config.auth();
        NodeId id = config.nodeId();
        if (!auth.admitsAnyone()) {
            throw new StartupException(id + ": no client could connect: auth.users_file is empty and"
                    + " auth.anonymous is false; add users ('chorus users add NAME --roles read,write --file FILE')"
                    + " and set auth.users_file, or set auth.anonymous: true for a test cluster");
        }
        Supplier<UserTable> users = UserTable::empty;
        usersFile = null;
        if (auth.usersFile() != null) {
            try {
                usersFile = UsersFile.load(auth.usersFile());
                users = usersFile;
            } catch (IllegalArgumentException e) {
                throw new StartupException(id + ": " + e.getMessage(), e);
            }
        }
        if (!auth.anonymous() && config.tls() == null) {
            // Without TLS a node HELLO proves nothing, and a node connection may send every request (it forwards
            // clients'): anyone who reaches a port that takes nodes could skip authentication by claiming one,
            // and passwords would cross the network in clear.
            throw new StartupException(id + ": clients must authenticate (auth.anonymous is false), which needs"
                    + " TLS: without it anyone could skip authentication by saying HELLO as a node, and passwords"
                    + " would cross the network in clear; set tls.certificate, tls.key and tls.ca (chorus certs"
                    + " makes development ones), or auth.anonymous: true for a test cluster");
        }
        if (auth.anonymous()) {
            LOG.warn("{}: anonymous client access is on (auth.anonymous): any process that reaches its client port"
                    + " may read, write and administer the cluster. For test clusters only; docs/security.md", id);
        }
        return new UserAuthenticator(users, auth.anonymous());
    }

    /**
     * Looks at the users file every second on the node's timer thread (a stat; a parse when it changed), so that a
     * removal or a change of roles reaches connections already open, which check the table on each request.
     */
    private void checkUsersEverySecond(WheelScheduler timer) {
        UsersFile file = usersFile;
        if (file == null) {
            return;
        }
        try {
            timer.schedule(() -> {
                file.get();
                checkUsersEverySecond(timer);
            }, 1, TimeUnit.SECONDS);
        } catch (RejectedExecutionException stopped) {
            // the node stopped: so do the checks
        }
    }

    private void startParts(NodeId id, ServerConfig serverConfig, HostPort peerListen, Authenticator clients) {
        scheduler = new WheelScheduler(id + "-timers");
        dispatch = sharedDispatch != null ? sharedDispatch : dispatchPool(id + "-dispatch-",
                config.dispatchThreads());
        EventLoops loops = sharedLoops;
        if (loops == null) {
            ownLoops = EventLoops.create(2, id + "-io");
            loops = ownLoops;
        }
        server = new ChorusServer(serverConfig, dispatch, loops);
        // Peer replies complete on the event loop: what follows them (count an ack, merge a read reply, answer
        // the client, send a repair or the next hint) is short and never reads the store.
        ClientOptions peerOptions = ClientOptions.callbacksOn(Runnable::run);
        transport = new NettyTransport(id, addresses::lookup, loops, server,
                tls == null ? peerOptions : peerOptions.withTls(tls));
        GossipLiveness liveness = new GossipLiveness(() -> membership == null ? null : membership.view());
        coordinator = new Coordinator(id, new ActorId(id, storage.epoch()), this::ringState, this::heldRingState,
                storage, transport, liveness, scheduler, Clock.system(), config.coordinator());
        // Anti-entropy reads the store in its steps: they run on the dispatch pool, and share the coordinator's
        // background budget with hint replay and handoff. It syncs the replicas of the target ring.
        antiEntropy = new AntiEntropy(id, () -> {
            RingState r = ringState();
            return r == null ? standalone : r.to();
        }, config.coordinator().n(), storage, transport, liveness, scheduler, Clock.system(), dispatch,
                coordinator.budget(), coordinator::pendingHints, config.antiEntropy());
        antiEntropy.holdCollectionWhile(() -> {
            RingState r = ringState();
            return r == null || !r.settled();
        });
        antiEntropy.alsoAskForTombstones(() -> {
            NodeMembership m = membership;
            if (m == null) {
                return List.of();
            }
            // Known nodes that are not removed: joining, leaving or up, alive or not (a dead one blocks the round).
            List<NodeId> known = new ArrayList<>();
            io.chorus.gossip.MembershipView v = m.view();
            v.states().keySet().stream().filter(n -> !v.isRemoved(n)).forEach(known::add);
            return known;
        });
        // Data messages only from members (gossip stays open: it is how a node introduces itself); refusals are
        // timed and counted with the other replica errors.
        boolean readsOnLoop = config.readsOnEventLoop();
        RequestHandler peers = metrics.timePeers(ReadsOnLoop.peers(new MemberPeers(
                AntiEntropy.route(coordinator.peerHandler(), antiEntropy.handler()), id, config.clusterName(), () -> {
                    NodeMembership m = membership;
                    return m == null ? null : m.view();
                }, Clock.system()), readsOnLoop));
        transport.serve(new GossipRouting(peers, () -> membership == null ? null : membership.handler()));
        server.serveClients(metrics.timeClients(ReadsOnLoop.clients(new ClientRequestHandler(coordinator, antiEntropy,
                this::heldRingState, addresses, metrics, new MembershipAdmin(() -> membership, () -> handoff),
                new NodeBackup(id, config.dataDir(), storage, Clock.system())), readsOnLoop)));
        server.authenticateClients(clients);
        checkUsersEverySecond(scheduler);
        int port = server.start();
        lastPort = port;
        lastPeerPort = server.peerPort();
        address = advertised(config.clientAdvertise(), new HostPort(config.host(), port));
        if (peerListen == null) {
            peerAddress = config.peerAdvertise() != null ? config.peerAdvertise().toSocketAddress() : address;
        } else {
            peerAddress = advertised(config.peerAdvertise(), peerListen.withPort(lastPeerPort));
        }
        addresses.put(id, address, peerAddress);
        startMembership(id);
        coordinator.start();
        antiEntropy.start();
        handoff = new Handoff(id, membership.clusterMembership(), antiEntropy, storage, scheduler, Clock.system(),
                quietAtLeastARequest(membershipOptions.handoff()));
        handoff.start();
        metrics.startReporters();
        if (peerAddress.equals(address)) {
            LOG.info("{} serving on {} (data in {}, {}, epoch {})", id, address, config.dataDir(),
                    config.durability(), storage.epoch());
        } else {
            LOG.info("{} serving clients on {} and peers on {} (data in {}, {}, epoch {})", id, address, peerAddress,
                    config.dataDir(), config.durability(), storage.epoch());
        }
    }

    /**
     * Makes the node's membership now that its advertised addresses are known, and feeds the address book from
     * gossip: peers are found where they say they are.
     */
    private void startMembership(NodeId id) {
        List<NodeId> seeds = new ArrayList<>();
        boolean creates;
        List<Member> initial = List.of();
        HostPort ownPeer = HostPort.of(peerAddress);
        if (membershipOptions.initialMembers()) {
            initial = config.members();
            config.members().stream().map(Member::id).filter(m -> !m.equals(id)).forEach(seeds::add);
            creates = false;
        } else {
            for (HostPort seed : membershipOptions.seeds()) {
                if (!seed.equals(ownPeer)) {
                    NodeId seedId = NodeId.of(NettyTransport.SEED_PREFIX + seed);
                    addresses.put(seedId, seed.toSocketAddress());
                    seeds.add(seedId);
                }
            }
            creates = membershipOptions.seeds().isEmpty() || membershipOptions.seeds().get(0).equals(ownPeer);
        }
        int n = config.coordinator().n();
        NodeMembership.Settings settings = new NodeMembership.Settings(config.clusterName(), id,
                identity.generation(), zone(), HostPort.of(address).toString(), ownPeer.toString(), config.dataDir(),
                seeds, creates, initial, config.partitions(), n, membershipOptions.gossip(),
                new Claimant.Config(membershipOptions.autoCommit(), membershipOptions.settle().toNanos(), n));
        NodeMembership m = new NodeMembership(settings, transport, scheduler, Clock.system(), new Random(), dispatch);
        m.addListener(view -> view.states().forEach((node, state) -> {
            if (!node.equals(id)) {
                try {
                    addresses.put(node, HostPort.parse(state.clientAddress()).toSocketAddress(),
                            HostPort.parse(state.peerAddress()).toSocketAddress());
                } catch (RuntimeException e) {
                    LOG.debug("{}: unusable address gossiped for {}: {}", id, node, e.toString());
                }
            }
        }));
        m.onRemoved(() -> onRemoved.run());
        m.joinSupport(seed -> {
            NodeId seedId = NodeId.of(NettyTransport.SEED_PREFIX + seed);
            addresses.put(seedId, seed.toSocketAddress());
            return seedId;
        }, () -> {
            for (int p = 0; p < config.partitions(); p++) {
                if (storage.trees().tree(p).keyCount() > 0) {
                    return true;
                }
            }
            return false;
        });
        membership = m;
        m.start();
    }

    /**
     * Waits up to {@code within} until the node routes by a ring state it trusts (after a restart: once it heard
     * a live peer); returns whether it does. For tools and tests that use a node right after starting it.
     */
    public boolean awaitMembership(java.time.Duration within) {
        NodeMembership m = membership;
        if (m == null) {
            return false;
        }
        try {
            m.ready().get(within.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The ring state the node routes by, or null while it has none (still joining). */
    RingState ringState() {
        NodeMembership m = membership;
        return m == null ? null : m.ring();
    }

    /**
     * The quiet time of handoff, raised to cover a request at the default timeout (and its forward): a write
     * acknowledged under the old ring alone must have ended before transfers start.
     */
    private HandoffConfig quietAtLeastARequest(HandoffConfig h) {
        long request = config.coordinator().requestTimeoutMillis() + config.coordinator().forwardSlackMillis();
        return h.quietMillis() >= request ? h
                : new HandoffConfig(h.tickMillis(), request, h.concurrency(), h.strayCheckMillis());
    }

    /** The ring state held, trusted or not yet (see {@link NodeMembership#ring()}). */
    private RingState heldRingState() {
        NodeMembership m = membership;
        return m == null ? null : m.heldRing();
    }

    private long ringVersion() {
        RingState r = ringState();
        return r == null ? 0 : r.to().version();
    }

    /** Closes what a failed start opened (a port taken, most often), so the node can be started again. */
    private void abandonStart() {
        metrics.stopReporters();
        if (handoff != null) {
            handoff.close();
        }
        if (membership != null) {
            membership.close();
            membership = null;
        }
        if (antiEntropy != null) {
            antiEntropy.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (server != null) {
            server.stop();
        }
        if (transport != null) {
            transport.close();
        }
        if (dispatch != null && dispatch != sharedDispatch) {
            dispatch.shutdown();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (ownLoops != null) {
            ownLoops.close();
            ownLoops = null;
        }
        storage.close();
        address = null;
        peerAddress = null;
    }

    private static InetSocketAddress advertised(HostPort configured, HostPort bound) {
        return (configured != null ? configured : bound).toSocketAddress();
    }

    /**
     * Stops gracefully: hint replay ends, connections close in order, the dispatch work already queued runs, and
     * the store commits the writes already queued before it closes. The node can be started again.
     */
    public synchronized void stop() {
        stop(false);
    }

    /**
     * Stops as a crash of the node's process would: connections are reset, and the store fails the writes it has
     * not committed yet instead of committing them (none of them was acknowledged). The node can be started again
     * on what is on disk.
     */
    public synchronized void crash() {
        stop(true);
    }

    private void stop(boolean crash) {
        if (address == null) {
            return;
        }
        metrics.stopReporters();
        handoff.close();
        membership.close();
        antiEntropy.close();
        coordinator.close();
        if (crash) {
            // Connections first: a dead process answers nothing, not even the failures of its unfinished writes.
            server.stopAbruptly();
            storage.crash();
        } else {
            server.stop();
        }
        transport.close();
        if (dispatch != sharedDispatch) {
            dispatch.shutdown();
            try {
                dispatch.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scheduler.close();
        if (ownLoops != null) {
            ownLoops.close();
            ownLoops = null;
        }
        storage.close();
        LOG.info("{} {}", config.nodeId(), crash ? "crashed" : "stopped");
        address = null;
        peerAddress = null;
    }

    /** Stops reading from every connection while still accepting new ones: see {@link ChorusServer#freeze()}. */
    public synchronized void freeze() {
        if (server != null) {
            server.freeze();
        }
    }

    public synchronized void thaw() {
        if (server != null) {
            server.thaw();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** A fixed pool of daemon threads named {@code prefix1..prefixN}, for requests that read the store. */
    static ExecutorService dispatchPool(String prefix, int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public NodeId id() {
        return config.nodeId();
    }

    public NodeConfig config() {
        return config;
    }

    /** The target ring this node routes by (its own ring of one while still joining). */
    public Ring ring() {
        RingState r = ringState();
        return r == null ? standalone : r.to();
    }

    /** The identity this run started with (its generation grows with every start), or null before the first. */
    public synchronized NodeIdentity identity() {
        return identity;
    }

    /** The node's membership (gossip, claimant), or null when stopped. */
    NodeMembership membership() {
        return membership;
    }

    public synchronized Handoff handoff() {
        return handoff;
    }

    /**
     * Where clients reach this node (its advertised client address; peers too when it listens on one socket), or
     * null when stopped.
     */
    public synchronized InetSocketAddress address() {
        return address;
    }

    /** Where other nodes reach this node (its advertised peer address), or null when stopped. */
    public synchronized InetSocketAddress peerAddress() {
        return peerAddress;
    }

    public synchronized boolean isRunning() {
        return address != null;
    }

    /** The node's store, for tests and tools that inspect a replica directly. */
    public synchronized StorageEngine storage() {
        return storage;
    }

    public synchronized Coordinator coordinator() {
        return coordinator;
    }

    public synchronized AntiEntropy antiEntropy() {
        return antiEntropy;
    }
}
