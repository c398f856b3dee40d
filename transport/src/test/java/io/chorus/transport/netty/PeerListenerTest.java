package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server on two sockets, one for clients and one for peers: either takes either role. */
class PeerListenerTest {

    private static final String HOST = "127.0.0.1";

    private static EventLoops loops;
    private static ExecutorService dispatch;

    @BeforeAll
    static void startPools() {
        loops = EventLoops.create(1, "test-peer-listener");
        dispatch = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPools() {
        loops.close();
        dispatch.shutdownNow();
    }

    private static ChorusServer server(ServerConfig config) {
        ChorusServer server = new ChorusServer(config, dispatch);
        server.serveClients((from, req) -> CompletableFuture.completedFuture(
                Message.of(req.opcode(), "client".getBytes(StandardCharsets.US_ASCII))));
        server.serveNodes((from, req) -> CompletableFuture.completedFuture(
                Message.of(req.opcode(), ("node " + from).getBytes(StandardCharsets.US_ASCII))));
        return server;
    }

    private static ServerConfig config() {
        return ServerConfig.defaults(NodeId.of("two-sockets"), () -> 1).withHost(HOST).withIoThreads(1);
    }

    private static String ask(int port, Role role) throws Exception {
        ClientConnection conn = ClientConnection.connect(loops, new InetSocketAddress(HOST, port),
                HelloRequest.of(role, role == Role.NODE ? "peer-1" : "a-client"), ClientOptions.defaults())
                .get(5, TimeUnit.SECONDS);
        try {
            Message reply = conn.request(Message.of(Opcodes.GET, new byte[0]), 5_000).get(5, TimeUnit.SECONDS);
            return new String(reply.bodyUnsafe(), StandardCharsets.US_ASCII);
        } finally {
            conn.close();
        }
    }

    @Test
    void thePeerSocketServesBothRolesTheClientSocketRefusesNodesAndStopClosesBoth() throws Exception {
        ChorusServer server = server(config().withPeerListener(HOST, 0));
        int clientPort = server.start();
        int peerPort = server.peerPort();
        try {
            assertThat(peerPort).isPositive().isNotEqualTo(clientPort);
            assertThat(ask(clientPort, Role.CLIENT)).isEqualTo("client");
            assertThat(ask(peerPort, Role.NODE)).isEqualTo("node peer-1");
            assertThat(ask(peerPort, Role.CLIENT)).isEqualTo("client");
            // Node messages never come in on the port clients are given.
            assertThatThrownBy(() -> ask(clientPort, Role.NODE)).hasCauseInstanceOf(ChorusException.class)
                    .cause().satisfies(e -> assertThat(((ChorusException) e).code()).isEqualTo(ErrorCode.FORBIDDEN))
                    .hasMessageContaining("client port");
        } finally {
            server.stop();
        }
        assertThat(server.peerPort()).isEqualTo(-1);
        for (int port : new int[] {clientPort, peerPort}) {
            assertThatThrownBy(() -> new Socket(HOST, port).close()).as("port %d", port)
                    .isInstanceOf(java.net.ConnectException.class);
        }
        // Started again on the same ports, as a restarted node is.
        ChorusServer again = server(config().withPort(clientPort).withPeerListener(HOST, peerPort));
        try {
            assertThat(again.start()).isEqualTo(clientPort);
            assertThat(again.peerPort()).isEqualTo(peerPort);
            assertThat(ask(peerPort, Role.NODE)).isEqualTo("node peer-1");
        } finally {
            again.stop();
        }
    }

    @Test
    void withoutAPeerListenerPeersUseTheOnePort() throws Exception {
        ChorusServer server = server(config());
        int port = server.start();
        try {
            assertThat(server.peerPort()).isEqualTo(port);
        } finally {
            server.stop();
        }
    }

    @Test
    void aPeerPortTakenLeavesNothingBound() throws Exception {
        int clientPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            clientPort = free.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            ChorusServer server = server(config().withPort(clientPort).withPeerListener(HOST, taken.getLocalPort()));
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot bind " + HOST + ":" + taken.getLocalPort() + ": ");
            assertThat(server.port()).isEqualTo(-1);
        }
        try (ServerSocket again = new ServerSocket(clientPort, 1, InetAddress.getByName(HOST))) {
            assertThat(again.getLocalPort()).as("the client socket was released").isEqualTo(clientPort);
        }
    }
}
