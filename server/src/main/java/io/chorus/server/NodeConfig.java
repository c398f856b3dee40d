package io.chorus.server;

import io.chorus.core.NodeId;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.ring.Member;
import io.chorus.storage.Durability;
import io.chorus.storage.StoreLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import io.chorus.server.metrics.MetricsConfig;
import io.chorus.server.security.AuthConfig;
import io.chorus.transport.tls.TlsConfig;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything one node needs to start. Membership is static here: {@code members} is the whole cluster (this node
 * included) and the ring is claimed from it; the gossip issue replaces that source. Immutable.
 *
 * @param nodeId       this node
 * @param dataDir      its LMDB directory (created if missing)
 * @param host         the address to listen on for clients, and for peers too unless {@code peerListen} is given
 *                     (one port, told apart by HELLO)
 * @param port         the port, 0 for an ephemeral one
 * @param members      every member of the cluster, with zones
 * @param partitions   Q, a power of two, fixed at cluster creation
 * @param durability   SYNC (fsync per group commit) or NOSYNC
 * @param coordinator  N/R/W defaults, timeouts, read repair and hint settings
 * @param dispatchThreads threads that run requests off the event loops (storage reads, coordination)
 * @param maxUnflushedReplyBytes replies this node may hold for peers that do not read them, over all its
 *                     connections; 0 for the server's default (a quarter of the heap), which nodes sharing one JVM
 *                     must divide among themselves ({@link EmbeddedCluster} does)
 * @param antiEntropy  the schedule of active anti-entropy and tombstone collection
 * @param clusterName  the cluster this node belongs to ({@value #DEFAULT_CLUSTER_NAME} unless named)
 * @param peerListen   a second socket for other nodes (port 0: ephemeral), or null to serve them on
 *                     {@code host:port}; the client socket then refuses nodes, the peer socket takes either role
 * @param clientAdvertise where clients are told to connect, or null for {@code host} and the bound port; required
 *                     when {@code host} is a wildcard address
 * @param peerAdvertise where other nodes are told to connect, or null for {@code peerListen}'s host and bound
 *                     port, or on one socket the client address; required when {@code peerListen} is a wildcard
 * @param metrics      where the node's metrics go besides STATS (JMX, CSV, Prometheus) and the slow-request log
 * @param tls          TLS on both listeners and on connections to other nodes (this node's certificate, the
 *                     cluster's CA), or null for plaintext: anyone who reaches a port can then read, write and pose as
 *                     a node (docs/security.md)
 * @param auth         how clients authenticate: the users file, and whether anonymous clients are let in
 * @param limits       connection slots, per-source limits, deadlines and the partial-frame budget of its listeners
 * @param readsOnEventLoop whether GETs and replica reads run on the network thread that received them (a resident
 *                     map's lookup is cheaper than the hand-off) rather than on the dispatch pool
 * @param storageShards LMDB environments the store is split into, each with its own writer, so that commits and
 *                     their fsyncs overlap ({@link io.chorus.storage.ShardedStorageEngine}); fixed for a data
 *                     directory once it holds a store
 */
public record NodeConfig(NodeId nodeId, Path dataDir, String host, int port, List<Member> members, int partitions,
        Durability durability, CoordinatorConfig coordinator, int dispatchThreads, long maxUnflushedReplyBytes,
        AntiEntropyConfig antiEntropy, String clusterName, HostPort peerListen, HostPort clientAdvertise,
        HostPort peerAdvertise, MetricsConfig metrics, TlsConfig tls, AuthConfig auth, ConnectionLimits limits,
        boolean readsOnEventLoop, int storageShards) {

    /** One environment: the layout of every store made before shards (see {@link #storageShards}). */
    public static final int DEFAULT_STORAGE_SHARDS = 1;
    public static final String DEFAULT_CLUSTER_NAME = "chorus";
    /** Cluster names travel length-prefixed like node ids. */
    public static final int MAX_CLUSTER_NAME_UTF8_LENGTH = 255;

    public NodeConfig {
        members = List.copyOf(members);
        if (members.stream().noneMatch(m -> m.id().equals(nodeId))) {
            throw new IllegalArgumentException(nodeId + " is not among the members " + members);
        }
        if (port < 0 || port > 0xFFFF || dispatchThreads < 1 || maxUnflushedReplyBytes < 0) {
            throw new IllegalArgumentException("port outside 0..65535, no dispatch thread or a negative limit");
        }
        if (dataDir == null || host == null || durability == null || coordinator == null || antiEntropy == null
                || metrics == null) {
            throw new IllegalArgumentException("data dir, host, durability, coordinator, anti-entropy and metrics"
                    + " settings must be given");
        }
        String nameProblem = clusterNameProblem(clusterName);
        if (nameProblem != null) {
            throw new IllegalArgumentException("cluster name " + nameProblem);
        }
        HostPort client = new HostPort(host, port);
        if (client.isWildcard() && clientAdvertise == null) {
            throw new IllegalArgumentException("listening on the wildcard " + client
                    + " needs a client address to advertise");
        }
        if (peerListen != null && peerListen.isWildcard() && peerAdvertise == null) {
            throw new IllegalArgumentException("listening on the wildcard " + peerListen
                    + " needs a peer address to advertise");
        }
        StoreLayout.checkCount(storageShards);
        if (auth == null || limits == null) {
            throw new IllegalArgumentException("the auth settings and connection limits must be given");
        }
        if (tls != null && !tls.hasCertificate()) {
            throw new IllegalArgumentException("a node's TLS needs its certificate and key, not only a CA");
        }
        if (peerListen != null && peerListen.equals(client) && port != 0) {
            throw new IllegalArgumentException("the peer listener " + peerListen + " is the client listener;"
                    + " leave it null to serve peers there");
        }
        for (HostPort advertised : new HostPort[] {clientAdvertise, peerAdvertise}) {
            if (advertised != null && (advertised.port() == 0 || advertised.isWildcard())) {
                throw new IllegalArgumentException("cannot advertise " + advertised
                        + ": nobody can connect to a wildcard address or port 0");
            }
        }
    }

    /** The settings before cluster names and separate peer listeners: cluster "chorus", one socket. */
    public NodeConfig(NodeId nodeId, Path dataDir, String host, int port, List<Member> members, int partitions,
            Durability durability, CoordinatorConfig coordinator, int dispatchThreads, long maxUnflushedReplyBytes,
            AntiEntropyConfig antiEntropy) {
        this(nodeId, dataDir, host, port, members, partitions, durability, coordinator, dispatchThreads,
                maxUnflushedReplyBytes, antiEntropy, DEFAULT_CLUSTER_NAME, null, null, null, MetricsConfig.defaults(),
                null, AuthConfig.anonymousAccess(), ConnectionLimits.defaults(), true, DEFAULT_STORAGE_SHARDS);
    }

    /** Loopback, ephemeral port, SYNC, Q = 256, N/R/W = 3/2/2. */
    public static NodeConfig defaults(NodeId nodeId, Path dataDir, List<Member> members) {
        return new NodeConfig(nodeId, dataDir, "127.0.0.1", 0, members, 256, Durability.SYNC,
                CoordinatorConfig.defaults(), 4, 0, AntiEntropyConfig.defaults());
    }

    /**
     * What is wrong with a cluster name, or null if nothing: like a node id, 1..255 UTF-8 bytes, no whitespace or
     * control characters (it is written in the identity file and will travel in gossip).
     */
    public static String clusterNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_CLUSTER_NAME_UTF8_LENGTH
                || !new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(name)) {
            return "'" + name + "' is not valid Unicode of at most " + MAX_CLUSTER_NAME_UTF8_LENGTH + " UTF-8 bytes";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isWhitespace(name.charAt(i)) || Character.isISOControl(name.charAt(i))) {
                return "'" + name + "' contains whitespace or a control character";
            }
        }
        return null;
    }

    /** Whether peers have a socket of their own. */
    public boolean separatePeerListener() {
        return peerListen != null;
    }

    public NodeConfig withPort(int port) {
        return with(b -> b.port = port);
    }

    public NodeConfig withDurability(Durability durability) {
        return with(b -> b.durability = durability);
    }

    public NodeConfig withPartitions(int partitions) {
        return with(b -> b.partitions = partitions);
    }

    public NodeConfig withCoordinator(CoordinatorConfig coordinator) {
        return with(b -> b.coordinator = coordinator);
    }

    public NodeConfig withAntiEntropy(AntiEntropyConfig antiEntropy) {
        return with(b -> b.antiEntropy = antiEntropy);
    }

    public NodeConfig withClusterName(String clusterName) {
        return with(b -> b.clusterName = clusterName);
    }

    /** Listens for peers on {@code peerListen} (null: on the client socket); see the record's parameters. */
    public NodeConfig withPeerListen(HostPort peerListen) {
        return with(b -> b.peerListen = peerListen);
    }

    public NodeConfig withMetrics(MetricsConfig metrics) {
        return with(b -> b.metrics = metrics);
    }

    /** TLS with this node's certificate (null: plaintext); see the record's parameters. */
    public NodeConfig withTls(TlsConfig tls) {
        return with(b -> b.tls = tls);
    }

    /** How clients authenticate; see the record's parameters. */
    public NodeConfig withAuth(AuthConfig auth) {
        return with(b -> b.auth = auth);
    }

    /** What the listeners tolerate; see the record's parameters. */
    public NodeConfig withLimits(ConnectionLimits limits) {
        return with(b -> b.limits = limits);
    }

    public NodeConfig withReadsOnEventLoop(boolean readsOnEventLoop) {
        return with(b -> b.readsOnEventLoop = readsOnEventLoop);
    }

    public NodeConfig withStorageShards(int storageShards) {
        return with(b -> b.storageShards = storageShards);
    }

    /** The addresses clients and peers are told to connect to (either null: the bound one). */
    public NodeConfig withAdvertise(HostPort clientAdvertise, HostPort peerAdvertise) {
        return with(b -> {
            b.clientAdvertise = clientAdvertise;
            b.peerAdvertise = peerAdvertise;
        });
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private NodeConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private NodeId nodeId;
        private Path dataDir;
        private String host;
        private int port;
        private List<Member> members;
        private int partitions;
        private Durability durability;
        private CoordinatorConfig coordinator;
        private int dispatchThreads;
        private long maxUnflushedReplyBytes;
        private AntiEntropyConfig antiEntropy;
        private String clusterName;
        private HostPort peerListen;
        private HostPort clientAdvertise;
        private HostPort peerAdvertise;
        private MetricsConfig metrics;
        private TlsConfig tls;
        private AuthConfig auth;
        private ConnectionLimits limits;
        private boolean readsOnEventLoop;
        private int storageShards;

        private Builder(NodeConfig c) {
            nodeId = c.nodeId;
            dataDir = c.dataDir;
            host = c.host;
            port = c.port;
            members = c.members;
            partitions = c.partitions;
            durability = c.durability;
            coordinator = c.coordinator;
            dispatchThreads = c.dispatchThreads;
            maxUnflushedReplyBytes = c.maxUnflushedReplyBytes;
            antiEntropy = c.antiEntropy;
            clusterName = c.clusterName;
            peerListen = c.peerListen;
            clientAdvertise = c.clientAdvertise;
            peerAdvertise = c.peerAdvertise;
            metrics = c.metrics;
            tls = c.tls;
            auth = c.auth;
            limits = c.limits;
            readsOnEventLoop = c.readsOnEventLoop;
            storageShards = c.storageShards;
        }

        private NodeConfig build() {
            return new NodeConfig(nodeId, dataDir, host, port, members, partitions, durability, coordinator,
                    dispatchThreads, maxUnflushedReplyBytes, antiEntropy, clusterName, peerListen, clientAdvertise,
                    peerAdvertise, metrics, tls, auth, limits, readsOnEventLoop, storageShards);
        }
    }
}
