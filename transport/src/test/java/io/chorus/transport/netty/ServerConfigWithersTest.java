package io.chorus.transport.netty;

import io.chorus.core.NodeId;
import io.chorus.testkit.Withers;
import io.chorus.testkit.Withers.Case;
import io.chorus.transport.testing.TestCertificates;
import io.chorus.transport.testing.TestCertificates.Authority;
import io.chorus.transport.testing.TestCertificates.Issued;
import io.chorus.transport.tls.TlsConfig;
import io.chorus.transport.tls.TlsContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each wither of {@link ServerConfig} and {@link ClientOptions} changes exactly its components. */
class ServerConfigWithersTest {

    @TempDir
    Path dir;

    private TlsContext tls(String name) {
        Authority ca = TestCertificates.authority(dir, name + "-ca");
        Issued cert = ca.issue(name);
        return TlsContext.load(TlsConfig.of(cert.certificateFile(), cert.keyFile(), ca.certificateFile()));
    }

    @Test
    void eachServerConfigWitherChangesOnlyItsComponents() {
        TlsContext other = tls("b");
        ServerConfig base = ServerConfig.defaults(NodeId.of("a"), () -> 1).withPort(6000).withIoThreads(2)
                .withPeerListener("127.0.0.1", 6001).withTls(tls("a"));
        Withers.check(base,
                Case.of("withHost", c -> c.withHost("::1"), "host", "::1"),
                Case.of("withPort", c -> c.withPort(7000), "port", 7000),
                Case.of("withMaxFrameBytes", c -> c.withMaxFrameBytes(1 << 20), "maxFrameBytes", 1 << 20),
                new Case<>("withConnectionLimits", c -> c.withConnectionLimits(10, 20, 30), Map.of(
                        "maxClientConnections", 10, "maxNodeConnections", 20, "maxPendingHandshakes", 30)),
                Case.of("withMaxHandshakeFrameBytes", c -> c.withMaxHandshakeFrameBytes(4096),
                        "maxHandshakeFrameBytes", 4096),
                new Case<>("withSourceLimits", c -> c.withSourceLimits(40, 4), Map.of(
                        "maxConnectionsPerSource", 40, "maxHandshakesPerSource", 4)),
                Case.of("withMaxPartialFrameBytes", c -> c.withMaxPartialFrameBytes(1L << 20),
                        "maxPartialFrameBytes", 1L << 20),
                Case.of("withMaxInFlightPerConnection", c -> c.withMaxInFlightPerConnection(7),
                        "maxInFlightPerConnection", 7),
                Case.of("withHandshakeTimeout", c -> c.withHandshakeTimeout(Duration.ofMillis(300)),
                        "handshakeTimeout", Duration.ofMillis(300)),
                Case.of("withIdleTimeout", c -> c.withIdleTimeout(Duration.ofSeconds(9)), "idleTimeout",
                        Duration.ofSeconds(9)),
                new Case<>("withUnflushedLimits", c -> c.withUnflushedLimits(1000, 5000),
                        Map.of("maxUnflushedPerConnection", 1000L, "maxUnflushedPerNode", 5000L)),
                Case.of("withIoThreads", c -> c.withIoThreads(3), "ioThreads", 3),
                Case.of("withPeerListener", c -> c.withPeerListener("127.0.0.2", 7001), "peerListener",
                        InetSocketAddress.createUnresolved("127.0.0.2", 7001)),
                Case.of("withTls", c -> c.withTls(other), "tls", other));
    }

    @Test
    void eachClientOptionsWitherChangesOnlyItsComponent() {
        TlsContext other = tls("d");
        Withers.check(ClientOptions.defaults().withTls(tls("c")),
                Case.of("withConnectTimeoutMillis", c -> c.withConnectTimeoutMillis(50), "connectTimeoutMillis", 50L),
                Case.of("withMaxFrameBytes", c -> c.withMaxFrameBytes(4096), "maxFrameBytes", 4096),
                Case.of("withTls", c -> c.withTls(other), "tls", other));
    }
}
