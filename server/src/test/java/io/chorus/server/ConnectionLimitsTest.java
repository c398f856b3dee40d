package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.core.NodeId;
import io.chorus.ring.Member;
import io.chorus.storage.Durability;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's {@code limits} reach its listeners: per-source slots and the handshake deadline, set by the operator. */
class ConnectionLimitsTest {

    @TempDir
    Path dir;

    /** Whether the server closed the socket (end of stream or reset) within {@code millis}. */
    private static boolean closedWithin(Socket s, int millis) throws Exception {
        s.setSoTimeout(millis);
        try (InputStream in = s.getInputStream()) {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException reset) {
            return true;
        }
    }

    @Test
    void theOperatorsPerSourceLimitAndHandshakeDeadlineAreTheNodes() throws Exception {
        NodeId id = NodeId.of("solo");
        ConnectionLimits limits = new ConnectionLimits(64, 16, 64, 3, 2, Duration.ofMillis(800),
                Duration.ofMinutes(5), 0);
        NodeConfig config = NodeConfig.defaults(id, dir, List.of(Member.of(id))).withPartitions(8)
                .withDurability(Durability.NOSYNC).withLimits(limits);
        ChorusNode node = new ChorusNode(config, new AddressBook(), null);
        InetSocketAddress address = node.start();
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                silent.add(new Socket(address.getHostString(), address.getPort()));
            }
            // Two handshakes at most from one address: the third silent socket is closed on accept.
            assertThat(closedWithin(silent.get(2), 2_000)).isTrue();
            // The other two are closed by the 800 ms deadline, not the transport's default 5 s.
            long start = System.nanoTime();
            assertThat(closedWithin(silent.get(0), 4_000)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(closedWithin(silent.get(1), 4_000)).isTrue();
            // Once they are gone, a client is served.
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                try (ChorusClient c = ChorusClient.connect(ClientConfig.builder(List.of(address)).build())) {
                    c.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), null);
                }
            });
        } finally {
            for (Socket s : silent) {
                s.close();
            }
            node.stop();
        }
        assertThatThrownBy(() -> new ConnectionLimits(0, 1, 1, 1, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
