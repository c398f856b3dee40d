package io.chorus.transport.netty;

import io.chorus.core.NodeId;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.ProtocolLimits;
import io.chorus.transport.tls.TlsContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * How a {@link ChorusServer} listens and what it tolerates. Start from {@link #defaults} (the protocol's limits,
 * docs/protocol.md "Limits") and adjust with the {@code with*} methods. {@code port = 0} binds an ephemeral port.
 * {@code ringVersion} is read on the event loop for every HELLO, so it must be cheap and non-blocking (a volatile
 * read). {@code ioThreads} sizes the event loop group the server creates when it is not given one (0 lets Netty
 * pick). Immutable.
 *
 * @param maxHandshakeFrameBytes  the largest frame a connection may send before its HELLO is accepted (never more
 *                                than {@code maxFrameBytes}, which applies after it); a HELLO, credentials
 *                                included, is far smaller, so a peer that has not identified itself cannot make
 *                                the node buffer a large frame
 * @param maxClientConnections    connections that said HELLO as a client; more are refused with OVERLOADED
 * @param maxNodeConnections      connections that said HELLO as a node, counted apart so that clients can never
 *                                take the slots the cluster needs to talk to itself
 * @param maxPendingHandshakes    connections accepted that have not said HELLO yet; over it, the oldest of them
 *                                is closed to make room
 * @param maxConnectionsPerSource connections open from one remote IP address, HELLO said or not; more are closed
 *                                on accept. Generous: local clusters, benchmarks and test clients all come from
 *                                127.0.0.1, and many clients may share a NAT's address
 * @param maxHandshakesPerSource  connections from one remote IP address that have not said HELLO yet; more are
 *                                closed on accept, so one address cannot evict everybody's pending handshakes
 * @param handshakeTimeout        a connection that has not said HELLO by then is closed, so silent sockets hold a
 *                                pending slot for seconds, not for the idle timeout
 * @param maxUnflushedPerConnection reply bytes one connection may have queued but not yet written to its socket;
 *                                over it, a connection whose peer takes none of them for a second is closed (its
 *                                peer is not reading); one that keeps taking them may go over for a while
 * @param maxUnflushedPerNode     the same bound over the server's client connections together (a peer node's
 *                                connection has only its own bound: closing it would fail the cluster's
 *                                requests on it to make room for a client that does not read)
 * @param maxPartialFrameBytes    bytes received and buffered in incomplete frames, over all connections (frames of
 *                                at most 64 KiB are not counted); a connection whose frame would go over it gets
 *                                OVERLOADED and is closed. Without it, a thousand connections that each sent most
 *                                of a 16 MiB frame would hold 16 GiB
 * @param peerListener            a second address to listen on, for other nodes, or null to serve them on
 *                                {@code host:port} with the clients (unresolved; port 0 for an ephemeral one).
 *                                The client socket then refuses node HELLOs (FORBIDDEN): seeds and peers must
 *                                use the peer address; the peer socket accepts either role. Both share the
 *                                handlers, slots, limits and freeze of this server
 * @param tls                     TLS on every accepted connection (both listeners), or null for plaintext. Its
 *                                context must have a certificate; its files are checked for a change every
 *                                {@code reloadInterval} while the server runs (docs/architecture.md, "TLS")
 */
public record ServerConfig(String host, int port, NodeId nodeId, LongSupplier ringVersion, int maxFrameBytes,
        int maxHandshakeFrameBytes, int maxClientConnections, int maxNodeConnections, int maxPendingHandshakes,
        int maxConnectionsPerSource, int maxHandshakesPerSource, int maxInFlightPerConnection,
        Duration handshakeTimeout, Duration idleTimeout, long maxUnflushedPerConnection, long maxUnflushedPerNode,
        long maxPartialFrameBytes, int ioThreads, InetSocketAddress peerListener, TlsContext tls) {

    public static final int DEFAULT_MAX_CLIENT_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_NODE_CONNECTIONS = 256;
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 256;
    /** A HELLO with a name is under 300 bytes, with credentials under 2 KiB. */
    public static final int DEFAULT_MAX_HANDSHAKE_FRAME_BYTES = 8 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 512;
    public static final int DEFAULT_MAX_HANDSHAKES_PER_SOURCE = 64;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final long DEFAULT_MAX_UNFLUSHED_PER_CONNECTION = 16L << 20;

    public ServerConfig {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host must be given");
        }
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port outside 0..65535: " + port);
        }
        if (nodeId == null || ringVersion == null) {
            throw new IllegalArgumentException("node id and ring version must be given");
        }
        if (maxFrameBytes < Frame.HEADER_BYTES) {
            throw new IllegalArgumentException("max frame size below the header size: " + maxFrameBytes);
        }
        if (maxHandshakeFrameBytes < Frame.HEADER_BYTES) {
            throw new IllegalArgumentException("max handshake frame size below the header size: "
                    + maxHandshakeFrameBytes);
        }
        if (maxClientConnections < 1 || maxNodeConnections < 1 || maxPendingHandshakes < 1
                || maxConnectionsPerSource < 1 || maxHandshakesPerSource < 1 || maxInFlightPerConnection < 1) {
            throw new IllegalArgumentException("connection and in-flight limits must be positive");
        }
        positive("handshake timeout", handshakeTimeout);
        positive("idle timeout", idleTimeout);
        if (maxUnflushedPerConnection < 1 || maxUnflushedPerNode < 1) {
            throw new IllegalArgumentException("unflushed reply limits must be positive: " + maxUnflushedPerConnection
                    + ", " + maxUnflushedPerNode);
        }
        if (maxPartialFrameBytes < 1) {
            throw new IllegalArgumentException("partial frame budget must be positive: " + maxPartialFrameBytes);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("io threads must not be negative: " + ioThreads);
        }
        if (peerListener != null && peerListener.getHostString().isEmpty()) {
            throw new IllegalArgumentException("peer listener host must be given");
        }
        if (tls != null && !tls.hasServerContext()) {
            throw new IllegalArgumentException("a TLS server needs a certificate and key: " + tls.config());
        }
    }

    /**
     * Loopback, ephemeral port, the protocol's default limits. The node-wide bound on unflushed replies to clients
     * is a quarter of the JVM's maximum heap (at most 1 GiB): the encoder copies replies into direct buffers, whose
     * default ceiling is the heap size. The bound on bytes in incomplete frames is an eighth of the heap (at most
     * 256 MiB): the decoder's cumulation buffers are direct too, and each may be up to twice its content.
     */
    public static ServerConfig defaults(NodeId nodeId, LongSupplier ringVersion) {
        long maxMemory = Runtime.getRuntime().maxMemory();
        long perNode = Math.min(1L << 30, maxMemory / 4);
        long partialFrames = Math.min(256L << 20, maxMemory / 8);
        return new ServerConfig("127.0.0.1", 0, nodeId, ringVersion, ProtocolLimits.DEFAULT_MAX_FRAME_BYTES,
                DEFAULT_MAX_HANDSHAKE_FRAME_BYTES, DEFAULT_MAX_CLIENT_CONNECTIONS, DEFAULT_MAX_NODE_CONNECTIONS,
                DEFAULT_MAX_PENDING_HANDSHAKES, DEFAULT_MAX_CONNECTIONS_PER_SOURCE, DEFAULT_MAX_HANDSHAKES_PER_SOURCE,
                DEFAULT_MAX_IN_FLIGHT, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_UNFLUSHED_PER_CONNECTION, perNode, partialFrames, 0, null, null);
    }

    /** The frame limit before the handshake is accepted: {@code maxHandshakeFrameBytes}, never above the other. */
    public int preHandshakeFrameBytes() {
        return Math.min(maxHandshakeFrameBytes, maxFrameBytes);
    }

    public ServerConfig withHost(String host) {
        return with(b -> b.host = host);
    }

    public ServerConfig withPort(int port) {
        return with(b -> b.port = port);
    }

    public ServerConfig withMaxFrameBytes(int maxFrameBytes) {
        return with(b -> b.maxFrameBytes = maxFrameBytes);
    }

    /** Limits on connections: clients and nodes once they said HELLO, and those that have not yet. */
    public ServerConfig withConnectionLimits(int clients, int nodes, int pendingHandshakes) {
        return with(b -> {
            b.maxClientConnections = clients;
            b.maxNodeConnections = nodes;
            b.maxPendingHandshakes = pendingHandshakes;
        });
    }

    /** The largest frame a connection may send before its HELLO is accepted. */
    public ServerConfig withMaxHandshakeFrameBytes(int maxHandshakeFrameBytes) {
        return with(b -> b.maxHandshakeFrameBytes = maxHandshakeFrameBytes);
    }

    /** Limits per remote IP address: connections open, and those of them that have not said HELLO yet. */
    public ServerConfig withSourceLimits(int connections, int handshakes) {
        return with(b -> {
            b.maxConnectionsPerSource = connections;
            b.maxHandshakesPerSource = handshakes;
        });
    }

    public ServerConfig withMaxInFlightPerConnection(int maxInFlightPerConnection) {
        return with(b -> b.maxInFlightPerConnection = maxInFlightPerConnection);
    }

    public ServerConfig withHandshakeTimeout(Duration handshakeTimeout) {
        return with(b -> b.handshakeTimeout = handshakeTimeout);
    }

    public ServerConfig withIdleTimeout(Duration idleTimeout) {
        return with(b -> b.idleTimeout = idleTimeout);
    }

    /** Bytes of replies that may wait for a slow reader: on one connection, and on all of them together. */
    public ServerConfig withUnflushedLimits(long perConnection, long perNode) {
        return with(b -> {
            b.maxUnflushedPerConnection = perConnection;
            b.maxUnflushedPerNode = perNode;
        });
    }

    /** Bytes all connections together may hold in incomplete frames over 64 KiB. */
    public ServerConfig withMaxPartialFrameBytes(long maxPartialFrameBytes) {
        return with(b -> b.maxPartialFrameBytes = maxPartialFrameBytes);
    }

    public ServerConfig withIoThreads(int ioThreads) {
        return with(b -> b.ioThreads = ioThreads);
    }

    /** Listens for other nodes on {@code host:port} too (port 0: ephemeral); see {@code peerListener}. */
    public ServerConfig withPeerListener(String host, int port) {
        return with(b -> b.peerListener = InetSocketAddress.createUnresolved(host, port));
    }

    /** TLS on every accepted connection with {@code tls}'s server context; null: plaintext. */
    public ServerConfig withTls(TlsContext tls) {
        return with(b -> b.tls = tls);
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private ServerConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private String host;
        private int port;
        private NodeId nodeId;
        private LongSupplier ringVersion;
        private int maxFrameBytes;
        private int maxHandshakeFrameBytes;
        private int maxClientConnections;
        private int maxNodeConnections;
        private int maxPendingHandshakes;
        private int maxConnectionsPerSource;
        private int maxHandshakesPerSource;
        private int maxInFlightPerConnection;
        private Duration handshakeTimeout;
        private Duration idleTimeout;
        private long maxUnflushedPerConnection;
        private long maxUnflushedPerNode;
        private long maxPartialFrameBytes;
        private int ioThreads;
        private InetSocketAddress peerListener;
        private TlsContext tls;

        private Builder(ServerConfig c) {
            host = c.host;
            port = c.port;
            nodeId = c.nodeId;
            ringVersion = c.ringVersion;
            maxFrameBytes = c.maxFrameBytes;
            maxHandshakeFrameBytes = c.maxHandshakeFrameBytes;
            maxClientConnections = c.maxClientConnections;
            maxNodeConnections = c.maxNodeConnections;
            maxPendingHandshakes = c.maxPendingHandshakes;
            maxConnectionsPerSource = c.maxConnectionsPerSource;
            maxHandshakesPerSource = c.maxHandshakesPerSource;
            maxInFlightPerConnection = c.maxInFlightPerConnection;
            handshakeTimeout = c.handshakeTimeout;
            idleTimeout = c.idleTimeout;
            maxUnflushedPerConnection = c.maxUnflushedPerConnection;
            maxUnflushedPerNode = c.maxUnflushedPerNode;
            maxPartialFrameBytes = c.maxPartialFrameBytes;
            ioThreads = c.ioThreads;
            peerListener = c.peerListener;
            tls = c.tls;
        }

        private ServerConfig build() {
            return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxHandshakeFrameBytes,
                    maxClientConnections, maxNodeConnections, maxPendingHandshakes, maxConnectionsPerSource,
                    maxHandshakesPerSource, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                    maxUnflushedPerConnection, maxUnflushedPerNode, maxPartialFrameBytes, ioThreads, peerListener,
                    tls);
        }
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }
}
