package io.chorus.server;

import io.chorus.transport.netty.ServerConfig;
import java.time.Duration;

/**
 * What a node's listeners tolerate, as an operator sets it (node config {@code limits}; docs/security.md, "Hostile
 * input"): connection slots by kind, per source address, the handshake deadline, the idle timeout, and the bytes
 * all connections may hold in frames still arriving. The defaults are the transport's. Immutable.
 *
 * @param maxPartialFrameBytes 0 for the transport's default (a share of the heap)
 */
public record ConnectionLimits(int maxClientConnections, int maxNodeConnections, int maxPendingHandshakes,
        int maxConnectionsPerSource, int maxHandshakesPerSource, Duration handshakeTimeout, Duration idleTimeout,
        long maxPartialFrameBytes) {

    public ConnectionLimits {
        if (maxClientConnections < 1 || maxNodeConnections < 1 || maxPendingHandshakes < 1
                || maxConnectionsPerSource < 1 || maxHandshakesPerSource < 1 || maxPartialFrameBytes < 0) {
            throw new IllegalArgumentException("connection limits must be at least 1, the frame budget not negative");
        }
        if (handshakeTimeout == null || idleTimeout == null || handshakeTimeout.isNegative()
                || handshakeTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("handshake and idle timeouts must be positive");
        }
    }

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(ServerConfig.DEFAULT_MAX_CLIENT_CONNECTIONS,
                ServerConfig.DEFAULT_MAX_NODE_CONNECTIONS, ServerConfig.DEFAULT_MAX_PENDING_HANDSHAKES,
                ServerConfig.DEFAULT_MAX_CONNECTIONS_PER_SOURCE, ServerConfig.DEFAULT_MAX_HANDSHAKES_PER_SOURCE,
                ServerConfig.DEFAULT_HANDSHAKE_TIMEOUT, ServerConfig.DEFAULT_IDLE_TIMEOUT, 0);
    }

    /** {@code server} with these limits. */
    ServerConfig applyTo(ServerConfig server) {
        ServerConfig s = server.withConnectionLimits(maxClientConnections, maxNodeConnections, maxPendingHandshakes)
                .withSourceLimits(maxConnectionsPerSource, maxHandshakesPerSource)
                .withHandshakeTimeout(handshakeTimeout).withIdleTimeout(idleTimeout);
        return maxPartialFrameBytes == 0 ? s : s.withMaxPartialFrameBytes(maxPartialFrameBytes);
    }
}
