package io.chorus.transport.netty;

import io.chorus.core.NodeId;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.ProtocolLimits;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How a {@link ChorusServer} listens and what it tolerates. Start from {@link #defaults} (the protocol's limits:
 * 16 MiB frames, 1024 connections, 1024 requests in flight per connection, 5 minutes idle) and adjust with the
 * {@code with*} methods. {@code port = 0} binds an ephemeral port. {@code ringVersion} is read on the event loop
 * for every HELLO, so it must be cheap and non-blocking (a volatile read). {@code ioThreads} sizes the event loop
 * group the server creates when it is not given one (0 lets Netty pick). Immutable.
 */
public record ServerConfig(String host, int port, NodeId nodeId, LongSupplier ringVersion, int maxFrameBytes,
                           int maxConnections, int maxInFlightPerConnection, Duration idleTimeout, int ioThreads) {

    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

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
        if (maxConnections < 1 || maxInFlightPerConnection < 1) {
            throw new IllegalArgumentException("connection and in-flight limits must be positive");
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("io threads must not be negative: " + ioThreads);
        }
    }

    /** Loopback, ephemeral port, the protocol's default limits. */
    public static ServerConfig defaults(NodeId nodeId, LongSupplier ringVersion) {
        return new ServerConfig("127.0.0.1", 0, nodeId, ringVersion, ProtocolLimits.DEFAULT_MAX_FRAME_BYTES,
                DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_IN_FLIGHT, DEFAULT_IDLE_TIMEOUT, 0);
    }

    public ServerConfig withHost(String host) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxConnections,
                maxInFlightPerConnection, idleTimeout, ioThreads);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxConnections,
                maxInFlightPerConnection, idleTimeout, ioThreads);
    }

    public ServerConfig withMaxFrameBytes(int maxFrameBytes) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxConnections,
                maxInFlightPerConnection, idleTimeout, ioThreads);
    }

    public ServerConfig withMaxConnections(int maxConnections) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxConnections,
                maxInFlightPerConnection, idleTimeout, ioThreads);
    }

    public ServerConfig withMaxInFlightPerConnection(int maxInFlightPerConnection) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxConnections,
                maxInFlightPerConnection, idleTimeout, ioThreads);
    }

    public ServerConfig withIdleTimeout(Duration idleTimeout) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxConnections,
                maxInFlightPerConnection, idleTimeout, ioThreads);
    }

    public ServerConfig withIoThreads(int ioThreads) {
        return new ServerConfig(host, port, nodeId, ringVersion, maxFrameBytes, maxConnections,
                maxInFlightPerConnection, idleTimeout, ioThreads);
    }
}
