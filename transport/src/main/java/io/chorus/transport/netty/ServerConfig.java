package io.chorus.transport.netty;

import io.chorus.core.NodeId;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.ProtocolLimits;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How a {@link ChorusServer} listens and what it tolerates. Start from {@link #defaults} (the protocol's limits,
 * docs/protocol.md "Limits") and adjust with the {@code with*} methods. {@code port = 0} binds an ephemeral port.
 * {@code ringVersion} is read on the event loop for every HELLO, so it must be cheap and non-blocking (a volatile
 * read). {@code ioThreads} sizes the event loop group the server creates when it is not given one (0 lets Netty
 * pick). Immutable.
 *
 * @param maxClientConnections    connections that said HELLO as a client; more are refused with OVERLOADED
 * @param maxNodeConnections      connections that said HELLO as a node, counted apart so that clients can never
 *                                take the slots the cluster needs to talk to itself
 * @param maxPendingHandshakes    connections accepted that have not said HELLO yet; more are closed on accept
 * @param handshakeTimeout        a connection that has not said HELLO by then is closed, so silent sockets hold a
 *                                pending slot for seconds, not for the idle timeout
 * @param maxUnflushedPerConnection reply bytes one connection may have queued but not yet written to its socket;
 *                                over it, a connection whose peer takes none of them for a second is closed (its
 *                                peer is not reading); one that keeps taking them may go over for a while
 * @param maxUnflushedPerNode     the same bound over the server's client connections together (a peer node's
 *                                connection has only its own bound: closing it would fail the cluster's
 *                                requests on it to make room for a client that does not read)
 * @param peerListener            a second address to listen on, for other nodes, or null to serve them on
 *                                {@code host:port} with the clients (unresolved; port 0 for an ephemeral one).
 *                                Either socket accepts either role, as the one socket does: the HELLO decides,
 *                                so a peer that only knows the client address still gets in. Both share the
 *                                handlers, slots, limits and freeze of this server
 */
public record ServerConfig(String host, int port, NodeId nodeId, LongSupplier ringVersion, int maxFrameBytes,
        int maxClientConnections, int maxNodeConnections, int maxPendingHandshakes, int maxInFlightPerConnection,
        Duration handshakeTimeout, Duration idleTimeout, long maxUnflushedPerConnection, long maxUnflushedPerNode,
        int ioThreads, InetSocketAddress peerListener) {

    public static final int DEFAULT_MAX_CLIENT_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_NODE_CONNECTIONS = 256;
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 256;
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
        if (maxClientConnections < 1 || maxNodeConnections < 1 || maxPendingHandshakes < 1
                || maxInFlightPerConnection < 1) {
            throw new IllegalArgumentException("connection and in-flight limits must be positive");
        }
        positive("handshake timeout", handshakeTimeout);
        positive("idle timeout", idleTimeout);
        if (maxUnflushedPerConnection < 1 || maxUnflushedPerNode < 1) {
            throw new IllegalArgumentException("unflushed reply limits must be positive: " + maxUnflushedPerConnection
                    + ", " + maxUnflushedPerNode);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("io threads must not be negative: " + ioThreads);
        }
        if (peerListener != null && peerListener.getHostString().isEmpty()) {
            throw new IllegalArgumentException("peer listener host must be given");
        }
    }

    /**
     * Loopback, ephemeral port, the protocol's default limits. The node-wide bound on unflushed replies to clients
     * is a quarter of the JVM's maximum heap (at most 1 GiB): the encoder copies replies into direct buffers, whose
     * default ceiling is the heap size.
     */
    public static ServerConfig defaults(NodeId nodeId, LongSupplier ringVersion) {
        long perNode = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
        return new ServerConfig("127.0.0.1", 0, nodeId, ringVersion, ProtocolLimits.DEFAULT_MAX_FRAME_BYTES,
                DEFAULT_MAX_CLIENT_CONNECTIONS, DEFAULT_MAX_NODE_CONNECTIONS, DEFAULT_MAX_PENDING_HANDSHAKES,
                DEFAULT_MAX_IN_FLIGHT, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_UNFLUSHED_PER_CONNECTION, perNode, 0, null);
    }

    public ServerConfig withHost(String host) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, peerListener);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, peerListener);
    }

    public ServerConfig withMaxFrameBytes(int maxFrameBytes) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, peerListener);
    }

    /** Limits on connections: clients and nodes once they said HELLO, and those that have not yet. */
    public ServerConfig withConnectionLimits(int clients, int nodes, int pendingHandshakes) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, clients, nodes, pendingHandshakes,
                maxInFlightPerConnection, handshakeTimeout, idleTimeout, maxUnflushedPerConnection,
                maxUnflushedPerNode, ioThreads, peerListener);
    }

    public ServerConfig withMaxInFlightPerConnection(int maxInFlightPerConnection) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, peerListener);
    }

    public ServerConfig withHandshakeTimeout(Duration handshakeTimeout) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, peerListener);
    }

    public ServerConfig withIdleTimeout(Duration idleTimeout) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, peerListener);
    }

    /** Bytes of replies that may wait for a slow reader: on one connection, and on all of them together. */
    public ServerConfig withUnflushedLimits(long perConnection, long perNode) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                perConnection, perNode, ioThreads, peerListener);
    }

    public ServerConfig withIoThreads(int ioThreads) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, peerListener);
    }

    /** Listens for other nodes on {@code host:port} too (port 0: ephemeral); see {@code peerListener}. */
    public ServerConfig withPeerListener(String host, int port) {
        return new ServerConfig(this.host, this.port, nodeId, ringVersion, maxFrameBytes, maxClientConnections,
                maxNodeConnections, maxPendingHandshakes, maxInFlightPerConnection, handshakeTimeout, idleTimeout,
                maxUnflushedPerConnection, maxUnflushedPerNode, ioThreads, InetSocketAddress.createUnresolved(host,
                port));
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }
}
