package io.chorus.server;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.server.security.AuthConfig;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.core.NodeId;
import io.chorus.ring.Member;
import io.chorus.storage.Durability;
import io.chorus.storage.StoreLayout;
import io.chorus.transport.netty.EventLoops;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import io.chorus.server.metrics.MetricsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A whole Chorus cluster in one JVM: real nodes (real Netty on loopback ports, real LMDB), for testing
 * applications against the real thing and for trying Chorus out.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).start();
 *      ChorusClient client = cluster.client()) {
 *     client.put(key, value, null);
 *     cluster.crash(1);                       // writes at W=2 still succeed
 *     cluster.restart(1);                     // node 1 catches up by read repair (a 4th node would keep hints)
 * }
 * }</pre>
 *
 * <p>Nodes are named {@code node-1..node-k}, listen on loopback ports (ephemeral unless a base port is given; kept
 * across a restart) and share one set of event loops and one dispatch pool (half the cores, at least one thread).
 * Data lives under the given directory, or a temporary one that {@link #close()} deletes.
 * Thread-safe for the operations below; start and stop nodes from one thread.
 */
public final class EmbeddedCluster implements AutoCloseable {

    private final List<ChorusNode> nodes;
    private final EventLoops loops;
    private final ExecutorService dispatch;
    private final Path dataDir;
    private final boolean ownsDataDir;

    private EmbeddedCluster(List<ChorusNode> nodes, EventLoops loops, ExecutorService dispatch, Path dataDir,
                            boolean ownsDataDir) {
        this.nodes = nodes;
        this.loops = loops;
        this.dispatch = dispatch;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Node {@code i}, counting from 0. */
    public ChorusNode node(int i) {
        return nodes.get(i);
    }

    public List<ChorusNode> nodes() {
        return List.copyOf(nodes);
    }

    public int size() {
        return nodes.size();
    }

    /**
     * Stops node {@code i} gracefully (its data stays): queued writes are committed and connections closed in order,
     * as a node that is shut down does. See {@link #crash} for the other way a node goes.
     */
    public void stopGracefully(int i) {
        nodes.get(i).stop();
    }

    /**
     * Stops node {@code i} as a crash of its process would: connections reset, writes not yet committed failed
     * rather than committed (none was acknowledged), nothing drained. Its data on disk stays.
     */
    public void crash(int i) {
        nodes.get(i).crash();
    }

    /**
     * Node {@code i} stops reading from its connections, as a paused process (SIGSTOP, a long GC pause) whose
     * kernel still accepts connections: requests to it go unanswered until {@link #thaw}.
     */
    public void freeze(int i) {
        nodes.get(i).freeze();
    }

    public void thaw(int i) {
        nodes.get(i).thaw();
    }

    /** Starts node {@code i} again on its data and its port. */
    public void restart(int i) {
        ChorusNode n = nodes.get(i);
        n.start();
        n.awaitMembership(java.time.Duration.ofSeconds(30));
    }

    /** The client addresses of the running nodes. */
    /**
     * Loses node {@code i}'s disk: crashes it, deletes its data directory and starts it again on an empty one, so it
     * comes back with a new epoch (new dots never look old) and is rebuilt by anti-entropy from its replicas.
     */
    public void wipe(int i) {
        ChorusNode n = node(i);
        n.crash();
        deleteTree(n.config().dataDir());
        n.start();
    }

    public List<InetSocketAddress> addresses() {
        return nodes.stream().filter(ChorusNode::isRunning).map(ChorusNode::address).toList();
    }

    /**
     * A client that knows every running node as a seed; over TLS (trusting the nodes' CA, without a certificate)
     * when the nodes use it; anonymous. The caller closes it.
     */
    public ChorusClient client() {
        return ChorusClient.connect(clientConfig().build());
    }

    /** The settings of {@link #client()}, to add credentials or a certificate to. */
    public ClientConfig.Builder clientConfig() {
        io.chorus.transport.tls.TlsConfig nodeTls = nodes.get(0).config().tls();
        return ClientConfig.builder(addresses()).clientName("embedded-cluster-client")
                .tls(nodeTls == null ? null : io.chorus.transport.tls.TlsConfig.trusting(nodeTls.trustedCa()));
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            for (ChorusNode node : nodes) {
                node.stop();
            }
        } finally {
            loops.close();
            dispatch.shutdown();
            try {
                // Work a node queued before it stopped finishes before its data directory goes.
                dispatch.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (ownsDataDir) {
                deleteTree(dataDir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings of an embedded cluster; each has a default. Not thread-safe. */
    public static final class Builder {
        private int nodes = 3;
        private Path dataDir;
        private Durability durability = Durability.SYNC;
        private int partitions = 256;
        private CoordinatorConfig coordinator = CoordinatorConfig.defaults();
        private AntiEntropyConfig antiEntropy = AntiEntropyConfig.defaults();
        private int basePort;
        private MetricsConfig metrics = MetricsConfig.defaults();
        private java.util.function.Function<NodeId, io.chorus.transport.tls.TlsConfig> tls;
        private AuthConfig auth = AuthConfig.anonymousAccess();
        private boolean readsOnEventLoop = true;
        private int storageShards = NodeConfig.DEFAULT_STORAGE_SHARDS;

        public Builder nodes(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("a cluster needs at least one node");
            }
            this.nodes = n;
            return this;
        }

        /** Keep data under {@code dir} (one subdirectory per node) instead of a temporary directory. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public Builder durability(Durability durability) {
            this.durability = durability;
            return this;
        }

        public Builder partitions(int q) {
            this.partitions = q;
            return this;
        }

        /** Node i listens on {@code basePort + i}; 0 (the default) gives every node an ephemeral port. */
        public Builder basePort(int port) {
            if (port < 0 || port > 0xFFFF) {
                throw new IllegalArgumentException("port outside 0..65535: " + port);
            }
            this.basePort = port;
            return this;
        }

        public Builder coordinator(CoordinatorConfig config) {
            this.coordinator = config;
            return this;
        }

        /**
         * Where every node's metrics go besides STATS; a CSV directory gets a subdirectory a node, and a Prometheus
         * port other than 0 is node 1's, node i taking port + i - 1.
         */
        public Builder metrics(MetricsConfig config) {
            this.metrics = java.util.Objects.requireNonNull(config, "metrics");
            return this;
        }

        /**
         * TLS on every node, each with the certificate {@code perNode} gives it (its CN or a DNS name must be the
         * node's name), all trusting the same CA; {@link EmbeddedCluster#client()} then needs that CA too.
         */
        public Builder tls(java.util.function.Function<NodeId, io.chorus.transport.tls.TlsConfig> perNode) {
            this.tls = perNode;
            return this;
        }

        /** How every node authenticates clients (default: anonymous access, no users). */
        public Builder auth(AuthConfig auth) {
            this.auth = auth;
            return this;
        }

        /** Whether GETs and replica reads run on the network thread that received them (default true). */
        public Builder readsOnEventLoop(boolean on) {
            this.readsOnEventLoop = on;
            return this;
        }

        /** LMDB environments each node's store is split into (default 1; see {@link NodeConfig#storageShards}). */
        public Builder storageShards(int shards) {
            StoreLayout.checkCount(shards);
            this.storageShards = shards;
            return this;
        }

        private MetricsConfig metricsOf(int i, NodeId node) {
            MetricsConfig c = metrics;
            if (c.csvDir() != null) {
                c = c.withCsv(c.csvDir().resolve(node.name()), c.reportInterval());
            }
            if (c.prometheus() != null && c.prometheus().port() != 0) {
                c = c.withPrometheus(c.prometheus().withPort(c.prometheus().port() + i));
            }
            return c;
        }

        public Builder antiEntropy(AntiEntropyConfig config) {
            this.antiEntropy = config;
            return this;
        }

        /** Starts every node; if one fails to start, the ones started are stopped again. */
        public EmbeddedCluster start() {
            boolean owns = dataDir == null;
            Path root;
            try {
                root = owns ? Files.createTempDirectory("chorus-embedded") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<Member> members = new ArrayList<>();
            for (int i = 1; i <= nodes; i++) {
                members.add(Member.of("node-" + i));
            }
            AddressBook addresses = new AddressBook();
            // The nodes share the machine's cores, so they share one dispatch pool as they share the event loops:
            // a few busy threads wake each other less often than a parked pool per node (in the cluster benchmark
            // on 2 cores, one shared thread cost less CPU per get than one thread per node).
            int dispatchThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            EventLoops loops = EventLoops.create(2, "chorus-embedded-io");
            ExecutorService dispatch = ChorusNode.dispatchPool("chorus-embedded-dispatch-", dispatchThreads);
            // The nodes share one heap (and its direct-memory ceiling): each may hold its share of the quarter a
            // lone node would, for replies to peers that do not read them.
            long unflushedShare = Math.max(1, Runtime.getRuntime().maxMemory() / 4 / nodes);
            List<ChorusNode> started = new ArrayList<>();
            EmbeddedCluster cluster = new EmbeddedCluster(started, loops, dispatch, root, owns);
            try {
                for (int i = 0; i < members.size(); i++) {
                    Member m = members.get(i);
                    int port = basePort == 0 ? 0 : basePort + i;
                    NodeConfig config = new NodeConfig(m.id(), root.resolve(m.id().name()), "127.0.0.1", port, members,
                            partitions, durability, coordinator, dispatchThreads, unflushedShare, antiEntropy)
                            .withMetrics(metricsOf(i, m.id())).withTls(tls == null ? null : tls.apply(m.id()))
                            .withAuth(auth).withReadsOnEventLoop(readsOnEventLoop)
                            .withStorageShards(storageShards);
                    ChorusNode node = new ChorusNode(config, addresses, loops, dispatch);
                    node.start();
                    started.add(node);
                }
                // Nodes restarted on their data route only once they heard a peer (their ring may be stale).
                for (ChorusNode node : started) {
                    node.awaitMembership(java.time.Duration.ofSeconds(30));
                }
                awaitGossip(started, 10_000);
                return cluster;
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }
    }

    /**
     * Waits (at most {@code millis}) until every node's gossip holds every node alive, so that what a caller asks
     * right after the start (members, status) describes the whole cluster. A few gossip rounds; not needed for
     * requests, which the ring already routes.
     */
    private static void awaitGossip(List<ChorusNode> nodes, long millis) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            boolean all = nodes.stream().allMatch(n -> n.membership() != null
                    && n.membership().view().liveMembers().size() >= nodes.size());
            if (all) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The ids of the nodes, in order. */
    public List<NodeId> ids() {
        return nodes.stream().map(ChorusNode::id).toList();
    }
}
