package io.chorus.server;

import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.core.NodeId;
import io.chorus.ring.Member;
import io.chorus.server.metrics.MetricsConfig;
import io.chorus.server.security.AuthConfig;
import io.chorus.transport.tls.TlsConfig;
import io.chorus.storage.Durability;
import io.chorus.testkit.Withers;
import io.chorus.testkit.Withers.Case;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each wither of {@link NodeConfig} changes exactly its components and copies the rest. */
class NodeConfigWithersTest {

    @Test
    void eachWitherChangesOnlyItsComponents() {
        NodeId id = NodeId.of("a");
        NodeConfig base = new NodeConfig(id, Path.of("/tmp/chorus-a"), "127.0.0.1", 6000,
                List.of(Member.of(id), Member.of("b")), 256, Durability.SYNC, CoordinatorConfig.defaults(), 4,
                1 << 20, AntiEntropyConfig.defaults(), "chorus", new HostPort("127.0.0.1", 6001),
                new HostPort("10.1.2.3", 6000), new HostPort("10.1.2.3", 6001), MetricsConfig.defaults(),
                TlsConfig.of(Path.of("/tmp/a.crt"), Path.of("/tmp/a.key"), Path.of("/tmp/ca.crt")),
                AuthConfig.anonymousAccess(), ConnectionLimits.defaults(), true, 1);
        AuthConfig auth = new AuthConfig(Path.of("/tmp/users"), false);
        ConnectionLimits limits = new ConnectionLimits(10, 20, 30, 40, 50, java.time.Duration.ofSeconds(2),
                java.time.Duration.ofMinutes(1), 1 << 20);
        TlsConfig tls = TlsConfig.of(Path.of("/tmp/b.crt"), Path.of("/tmp/b.key"), Path.of("/tmp/ca.crt"));
        MetricsConfig metrics = MetricsConfig.defaults().withJmx(false);
        CoordinatorConfig coordinator = CoordinatorConfig.defaults().withQuorum(5, 3, 3);
        HostPort peers = new HostPort("127.0.0.1", 7001);
        HostPort clientAd = new HostPort("10.1.2.3", 7000);
        HostPort peerAd = new HostPort("10.1.2.3", 7001);
        Withers.check(base,
                Case.of("withPort", c -> c.withPort(7000), "port", 7000),
                Case.of("withAuth", c -> c.withAuth(auth), "auth", auth),
                Case.of("withLimits", c -> c.withLimits(limits), "limits", limits),
                Case.of("withDurability", c -> c.withDurability(Durability.NOSYNC), "durability", Durability.NOSYNC),
                Case.of("withPartitions", c -> c.withPartitions(64), "partitions", 64),
                Case.of("withCoordinator", c -> c.withCoordinator(coordinator), "coordinator", coordinator),
                Case.of("withAntiEntropy", c -> c.withAntiEntropy(AntiEntropyConfig.disabled()), "antiEntropy",
                        AntiEntropyConfig.disabled()),
                Case.of("withClusterName", c -> c.withClusterName("other"), "clusterName", "other"),
                Case.of("withPeerListen", c -> c.withPeerListen(peers), "peerListen", peers),
                Case.of("withMetrics", c -> c.withMetrics(metrics), "metrics", metrics),
                Case.of("withTls", c -> c.withTls(tls), "tls", tls),
                Case.of("withReadsOnEventLoop", c -> c.withReadsOnEventLoop(false), "readsOnEventLoop", false),
                Case.of("withStorageShards", c -> c.withStorageShards(4), "storageShards", 4),
                new Case<>("withAdvertise", c -> c.withAdvertise(clientAd, peerAd),
                        Map.of("clientAdvertise", clientAd, "peerAdvertise", peerAd)));
    }
}
