package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.core.Clock;
import io.chorus.server.config.ConfigOverrides;
import io.chorus.server.config.NodeFileConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chorus node} in this JVM: config file to a serving node, its identity, its two sockets. */
class NodeProcessTest {

    private static NodeFileConfig config(Path dataDir, String more) {
        String listen = more.contains("client_listen") ? "" : "client_listen: 127.0.0.1:0\n";
        return NodeFileConfig.parse("node_name: db1\ncluster_name: test\ndurability: nosync\npartitions: 16\n"
                + listen + "data_dir: '" + dataDir + "'\n" + (more.contains("auth:") ? "" : "auth:\n  anonymous: true\n")
                + more, "test.yaml", ConfigOverrides.none());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aNodeServesClientsAndPeersOnItsTwoSocketsAndComesBackWithANewGeneration(@TempDir Path dir)
            throws IOException {
        int clientPort = freePort();
        int peerPort = freePort();
        NodeFileConfig config = config(dir.resolve("db1"), "client_listen: 127.0.0.1:" + clientPort
                + "\npeer_listen: 127.0.0.1:" + peerPort + "\n");
        long firstGeneration;
        try (NodeProcess node = NodeProcess.start(config, Clock.system())) {
            firstGeneration = node.identity().generation();
            assertThat(node.clientAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", clientPort));
            assertThat(node.peerAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", peerPort));
            // No other seeds: a cluster of one, at once; requests at the default N use it alone.
            assertThat(node.node().ring().members()).extracting(m -> m.id().name()).containsExactly("db1");
            // A client that was given the peer address as its seed still gets in (either socket, either role),
            // and is then told the client address.
            try (ChorusClient client = ChorusClient.connect(ClientConfig.builder(List.of(node.peerAddress()))
                    .build())) {
                client.put(b("k"), b("v"), null);
                assertThat(client.get(b("k")).values()).containsExactly(b("v"));
                assertThat(client.endpoints()).containsValue(node.clientAddress()).hasSize(1);
            }
            assertThatThrownBy(() -> NodeProcess.start(config, Clock.system())).isInstanceOf(StartupException.class)
                    .hasMessageContaining("is in use by another running node");
        }
        try (NodeProcess again = NodeProcess.start(config, Clock.system());
             ChorusClient client = ChorusClient.connect(ClientConfig.builder(List.of(again.clientAddress()))
                     .build())) {
            assertThat(again.identity().generation()).isGreaterThan(firstGeneration);
            assertThat(client.get(b("k")).values()).containsExactly(b("v"));
        }
    }

    @Test
    void anotherNodesDirectoryIsRefusedAndNothingStaysOpen(@TempDir Path dir) {
        NodeFileConfig db1 = config(dir, "");
        NodeProcess.start(db1, Clock.system()).close();
        NodeFileConfig db2 = NodeFileConfig.parse("node_name: db2\ncluster_name: test\ndata_dir: '" + dir + "'\n"
                + "partitions: 16\nclient_listen: 127.0.0.1:0\nauth:\n  anonymous: true\n", "test.yaml",
                ConfigOverrides.none());
        assertThatThrownBy(() -> NodeProcess.start(db2, Clock.system())).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("data_dir " + dir + " belongs to node db1 of cluster test, not to node db2");
        // The refused start released the lock: the owner starts at once.
        NodeProcess.start(db1, Clock.system()).close();
    }

    @Test
    void aPortTakenIsOneLineAndReleasesTheDirectory(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            NodeFileConfig config = config(dir, "client_listen: 127.0.0.1:" + taken.getLocalPort() + "\n");
            assertThatThrownBy(() -> NodeProcess.start(config, Clock.system())).isInstanceOf(StartupException.class)
                    .hasMessageStartingWith("cannot bind 127.0.0.1:" + taken.getLocalPort() + ": ");
        }
        NodeProcess.start(config(dir, ""), Clock.system()).close();
    }

    @Test
    void aNodeNoClientCouldReachRefusesToStartAndABrokenUsersFileIsNamed(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> NodeProcess.start(config(dir.resolve("data"), "auth:\n  anonymous: false\n"),
                Clock.system()))
                .isInstanceOf(StartupException.class).hasMessageContaining("no client could connect")
                .hasMessageContaining("auth.users_file");
        Path users = java.nio.file.Files.createDirectories(dir.resolve("etc")).resolve("users");
        java.nio.file.Files.writeString(users, "alice read\n");
        assertThatThrownBy(() -> NodeProcess.start(config(dir.resolve("data"), "auth:\n  users_file: '" + users + "'\n"),
                Clock.system())).isInstanceOf(StartupException.class).hasMessageContaining(users + " line 1");
        // Users without TLS: a node HELLO would let anyone skip them.
        java.nio.file.Files.writeString(users, "alice read -\n");
        assertThatThrownBy(() -> NodeProcess.start(config(dir.resolve("data"), "auth:\n  users_file: '" + users + "'\n"),
                Clock.system())).isInstanceOf(StartupException.class).hasMessageContaining("skip authentication by"
                + " saying HELLO as a node");
        // The directory is free again for a start that can serve.
        NodeProcess.start(config(dir.resolve("data"), ""), Clock.system()).close();
    }
}
