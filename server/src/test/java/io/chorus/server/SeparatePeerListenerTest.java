package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.client.RequestOptions;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.core.NodeId;
import io.chorus.ring.Member;
import io.chorus.storage.Durability;
import io.chorus.transport.netty.EventLoops;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that listen for peers on a socket of their own: clients are told the client addresses, nodes reach each
 * other on the peer addresses, and a restart binds both ports again.
 */
class SeparatePeerListenerTest {

    private static final RequestOptions ALL = new RequestOptions(3, 3, 3, 0);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<ChorusNode> startThree(Path dir, AddressBook book, EventLoops loops) {
        List<Member> members = List.of(Member.of("a"), Member.of("b"), Member.of("c"));
        List<ChorusNode> nodes = new ArrayList<>();
        for (Member m : members) {
            NodeConfig config = NodeConfig.defaults(m.id(), dir.resolve(m.id().name()), members)
                    .withDurability(Durability.NOSYNC).withPartitions(16)
                    .withCoordinator(CoordinatorConfig.defaults().withQuorum(3, 3, 3))
                    .withPeerListen(new HostPort("127.0.0.1", 0));
            ChorusNode node = new ChorusNode(config, book, loops);
            nodes.add(node);
            node.start();
        }
        return nodes;
    }

    @Test
    void clientsUseTheClientPortsAndPeersThePeerPorts(@TempDir Path dir) {
        AddressBook book = new AddressBook();
        try (EventLoops loops = EventLoops.create(2, "test-peer-listeners")) {
            List<ChorusNode> nodes = startThree(dir, book, loops);
            try {
                for (ChorusNode node : nodes) {
                    assertThat(node.peerAddress()).isNotEqualTo(node.address());
                    assertThat(book.lookup(node.id())).as("where the transport connects")
                            .isEqualTo(node.peerAddress());
                    assertThat(book.client(node.id())).isEqualTo(node.address());
                }
                try (ChorusClient client = ChorusClient.connect(ClientConfig.builder(
                        List.of(nodes.get(0).address())).build())) {
                    // W = 3 and R = 3: every replica was reached over the peer sockets.
                    client.put(b("k"), b("v"), null, ALL);
                    assertThat(client.get(b("k"), ALL).values()).containsExactly(b("v"));
                    Map<NodeId, InetSocketAddress> told = client.endpoints();
                    for (ChorusNode node : nodes) {
                        assertThat(told.get(node.id())).isEqualTo(node.address());
                    }
                }
                // A restarted node binds both of its ports again, where its peers and clients knew it.
                ChorusNode b = nodes.get(1);
                InetSocketAddress client = b.address();
                InetSocketAddress peer = b.peerAddress();
                b.stop();
                b.start();
                assertThat(b.awaitMembership(java.time.Duration.ofSeconds(30))).isTrue();
                assertThat(b.address()).isEqualTo(client);
                assertThat(b.peerAddress()).isEqualTo(peer);
                try (ChorusClient again = ChorusClient.connect(ClientConfig.builder(List.of(client)).build())) {
                    again.put(b("k2"), b("v2"), null, ALL);
                }
            } finally {
                nodes.forEach(ChorusNode::stop);
            }
        }
    }

    @Test
    void aPeerPortTakenFailsTheStartAndLeavesTheNodeStartable(@TempDir Path dir) throws Exception {
        List<Member> one = List.of(Member.of("solo"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            NodeConfig config = NodeConfig.defaults(NodeId.of("solo"), dir, one).withDurability(Durability.NOSYNC)
                    .withPartitions(16).withCoordinator(CoordinatorConfig.defaults().withQuorum(1, 1, 1))
                    .withPeerListen(new HostPort("127.0.0.1", taken.getLocalPort()));
            ChorusNode node = new ChorusNode(config, new AddressBook(), null);
            assertThatThrownBy(node::start).hasMessageStartingWith("cannot bind 127.0.0.1:" + taken.getLocalPort());
            assertThat(node.isRunning()).isFalse();
            // The store was closed again: another node opens the same directory in this process.
            ChorusNode other = new ChorusNode(config.withPeerListen(new HostPort("127.0.0.1", 0)), new AddressBook(),
                    null);
            other.start();
            other.stop();
        }
    }

    @Test
    void advertisedAddressesAreWhatTheBookHolds(@TempDir Path dir) {
        List<Member> one = List.of(Member.of("solo"));
        AddressBook book = new AddressBook();
        NodeConfig config = NodeConfig.defaults(NodeId.of("solo"), dir, one).withDurability(Durability.NOSYNC)
                .withPartitions(16).withCoordinator(CoordinatorConfig.defaults().withQuorum(1, 1, 1))
                .withAdvertise(new HostPort("127.0.0.1", 17_100), new HostPort("127.0.0.1", 17_200));
        ChorusNode node = new ChorusNode(config, book, null);
        node.start();
        try {
            assertThat(node.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 17_100));
            assertThat(book.lookup(node.id())).isEqualTo(new InetSocketAddress("127.0.0.1", 17_200));
        } finally {
            node.stop();
        }
    }

    @Test
    void aWildcardListenerNeedsAnAdvertisedAddress(@TempDir Path dir) {
        List<Member> one = List.of(Member.of("solo"));
        NodeConfig loopback = NodeConfig.defaults(NodeId.of("solo"), dir, one);
        assertThatThrownBy(() -> new NodeConfig(NodeId.of("solo"), dir, "0.0.0.0", 0, one, 16, Durability.NOSYNC,
                CoordinatorConfig.defaults(), 1, 0, loopback.antiEntropy()))
                .hasMessageContaining("wildcard 0.0.0.0:0 needs a client address");
        assertThatThrownBy(() -> loopback.withPeerListen(new HostPort("::", 7_200)))
                .hasMessageContaining("wildcard [::]:7200 needs a peer address");
        assertThat(loopback.withAdvertise(null, new HostPort("10.0.0.5", 7_200))
                .withPeerListen(new HostPort("::", 7_200)).separatePeerListener()).isTrue();
    }
}
