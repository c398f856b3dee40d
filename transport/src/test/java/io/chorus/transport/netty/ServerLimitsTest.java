package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server against peers that misbehave at the edge of its limits, over real sockets: peers that never read
 * their replies, never say HELLO, crowd the connection slots, half-close, or reuse a request id in flight.
 */
class ServerLimitsTest {

    private static final String HOST = "127.0.0.1";
    private static final int REPLY_BYTES = 256 * 1024;
    /** What one reply costs on the wire: the body, the header and the length prefix. */
    private static final int REPLY_WIRE_BYTES = REPLY_BYTES + Frame.HEADER_BYTES + Frame.LENGTH_BYTES;

    private static EventLoops clientLoops;
    private static ExecutorService dispatch;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @BeforeAll
    static void startPools() {
        clientLoops = EventLoops.create(1, "limits-client");
        dispatch = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPools() {
        clientLoops.close();
        dispatch.shutdownNow();
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private static ServerConfig config() {
        return ServerConfig.defaults(NodeId.of("server-1"), () -> 1).withHost(HOST).withIoThreads(1);
    }

    private ChorusServer server(ServerConfig config, RequestHandler handler) {
        ChorusServer server = new ChorusServer(config, dispatch);
        server.serveClients(handler);
        server.serveNodes(handler);
        server.start();
        toClose.push(server);
        return server;
    }

    private RawConnection raw(ChorusServer server, int receiveBuffer) throws Exception {
        RawConnection c = new RawConnection(HOST, server.port(), receiveBuffer);
        toClose.push(c);
        return c;
    }

    private CompletableFuture<ClientConnection> connecting(ChorusServer server, Role role, String name) {
        CompletableFuture<ClientConnection> f = ClientConnection.connect(clientLoops,
                new InetSocketAddress(HOST, server.port()), HelloRequest.of(role, name), ClientOptions.defaults());
        f.thenAccept(toClose::push);
        return f;
    }

    private static Frame get(long id) {
        return Frame.request(1, Opcodes.GET, id, ByteBuffer.allocate(8).putLong(id).array());
    }

    private static Frame[] gets(long firstId, int count) {
        Frame[] frames = new Frame[count];
        for (int i = 0; i < count; i++) {
            frames[i] = get(firstId + i);
        }
        return frames;
    }

    /** Answers every request with {@link #REPLY_BYTES} bytes. */
    private static RequestHandler bigReplies() {
        return (from, request) -> CompletableFuture.completedFuture(Message.adopt(request.opcode(),
                new byte[REPLY_BYTES]));
    }

    @Test
    void aPeerThatNeverReadsIsClosedOnceOverItsLimitWhileOthersAreServed() throws Exception {
        long limit = 2L << 20;
        ChorusServer server = server(config().withUnflushedLimits(limit, 64L << 20), bigReplies());
        ClientConnection good = connecting(server, Role.CLIENT, "reads").get(5, TimeUnit.SECONDS);
        RawConnection slow = raw(server, 4096);
        slow.hello(Role.CLIENT, "never-reads");
        slow.send(gets(10, 200));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().unflushedBytes() > limit);
        long over = System.nanoTime();
        // Served meanwhile, on the same event loop.
        assertThat(good.request(Message.of(Opcodes.GET, new byte[] {1}), 5000).get(5, TimeUnit.SECONDS).bodyLength())
                .isEqualTo(REPLY_BYTES);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().slowReadersClosed() == 1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - over)).as("closed about a second after")
                .isBetween(700L, 3_000L);
        assertThat(slow.closedByServer(5000)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().unflushedBytes() == 0);
        assertThat(good.isOpen()).isTrue();
    }

    @Test
    void aPeerThatReadsIsNeverClosedHoweverLargeItsBurstOfReplies() throws Exception {
        long limit = 1L << 20;
        ChorusServer server = server(config().withUnflushedLimits(limit, limit), bigReplies());
        ClientConnection reader = connecting(server, Role.CLIENT, "reads-a-burst").get(5, TimeUnit.SECONDS);
        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<Message>> burst = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                burst.add(reader.request(Message.of(Opcodes.GET, new byte[] {(byte) i}), 10_000));
            }
            for (CompletableFuture<Message> reply : burst) {
                assertThat(reply.get(10, TimeUnit.SECONDS).bodyLength()).isEqualTo(REPLY_BYTES);
            }
        }
        assertThat(server.stats().slowReadersClosed()).as("16 MiB bursts over a 1 MiB bound").isZero();
    }

    @Test
    void theNodeLimitBoundsManyPeersThatNeverRead() throws Exception {
        long limit = 4L << 20;
        ChorusServer server = server(config().withUnflushedLimits(64L << 20, limit), bigReplies());
        List<RawConnection> slow = new ArrayList<>();
        // Each holds 5 MiB at most, under its own bound; together they are over the node's.
        for (int i = 0; i < 3; i++) {
            RawConnection c = raw(server, 4096);
            c.hello(Role.CLIENT, "never-reads-" + i);
            c.send(gets(10, 20));
            slow.add(c);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().slowReadersClosed() >= 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().unflushedBytes() <= limit);
        int closed = 0;
        for (RawConnection c : slow) {
            closed += c.closedByServer(200) ? 1 : 0;
        }
        assertThat(closed).isEqualTo((int) server.stats().slowReadersClosed()).isBetween(1, 3);
    }

    @Test
    void clientsThatNeverReadCannotGetAPeerNodesConnectionClosed() throws Exception {
        long limit = 4L << 20;
        ChorusServer server = server(config().withUnflushedLimits(limit, limit), bigReplies());
        RawConnection client = raw(server, 4096);
        client.hello(Role.CLIENT, "never-reads");
        client.send(gets(10, 12));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().unflushedBytes() > limit / 2);
        // The clients' share is mostly taken; a peer node slow to read its replies only answers to its own bound.
        RawConnection node = raw(server, 4096);
        node.hello(Role.NODE, "node-2");
        node.send(Frame.request(1, 0x1002, 10, new byte[] {1}), Frame.request(1, 0x1002, 11, new byte[] {2}));
        for (int i = 0; i < 10; i++) {
            node.send(Frame.request(1, 0x1002, 20 + i, new byte[] {3}));
        }
        assertThat(node.closedByServer(1000)).isFalse();
        assertThat(client.closedByServer(100)).isFalse();
        assertThat(server.stats().slowReadersClosed()).isZero();
    }

    @Test
    void aFrozenServerAcceptsButReadsNothingUntilItThaws() throws Exception {
        ChorusServer server = server(config(), bigReplies());
        ClientConnection before = connecting(server, Role.CLIENT, "before").get(5, TimeUnit.SECONDS);
        server.freeze();
        CompletableFuture<Message> stalled = before.request(Message.of(Opcodes.GET, new byte[] {1}), 10_000);
        RawConnection after = raw(server, 0);
        after.hello(Role.CLIENT, "after");
        after.timeoutMillis(500);
        assertThatThrownBy(() -> after.read()).as("accepted, neither answered nor closed")
                .isInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(stalled).isNotDone();
        server.thaw();
        assertThat(stalled.get(5, TimeUnit.SECONDS).bodyLength()).isEqualTo(REPLY_BYTES);
        after.timeoutMillis(5000);
        assertThat(after.read().opcode()).isEqualTo(Opcodes.HELLO);
    }

    @Test
    void aPeerThatHalfClosesWhileTheServerIsFrozenIsAnsweredAfterTheThaw() throws Exception {
        ChorusServer server = server(config().withHandshakeTimeout(Duration.ofMillis(200)), bigReplies());
        server.freeze();
        RawConnection peer = raw(server, 0);
        peer.hello(Role.CLIENT, "half-closer");
        peer.send(gets(10, 2));
        peer.shutdownOutput();
        peer.timeoutMillis(600);
        assertThatThrownBy(peer::read).as("frozen: no answer, no close, no handshake deadline")
                .isInstanceOf(java.net.SocketTimeoutException.class);
        server.thaw();
        peer.timeoutMillis(5000);
        assertThat(peer.read().opcode()).isEqualTo(Opcodes.HELLO);
        Set<Long> answered = new HashSet<>();
        Frame f;
        while ((f = peer.read()) != null) {
            answered.add(f.requestId());
        }
        assertThat(answered).containsExactlyInAnyOrder(10L, 11L);
    }

    @Test
    void aConnectionThatNeverSaysHelloIsClosedAtTheHandshakeDeadline() throws Exception {
        ChorusServer server = server(config().withHandshakeTimeout(Duration.ofMillis(300)), bigReplies());
        RawConnection silent = raw(server, 0);
        RawConnection polite = raw(server, 0);
        polite.hello(Role.CLIENT, "polite");
        assertThat(polite.read().isError()).isFalse();

        assertThat(silent.closedByServer(5000)).isTrue();
        assertThat(server.stats().handshakeTimeouts()).isEqualTo(1);
        assertThat(polite.closedByServer(700)).as("a connection past its HELLO stays open").isFalse();
    }

    @Test
    void clientsAndSilentSocketsCannotTakeTheSlotsOfNodes() throws Exception {
        ChorusServer server = server(config().withConnectionLimits(1, 2, 2), bigReplies());
        RawConnection silent1 = raw(server, 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().pendingHandshakes() == 1);
        RawConnection silent2 = raw(server, 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().pendingHandshakes() == 2);

        // Every pending slot is taken by a silent socket: a node still gets in, the oldest silent one goes.
        ClientConnection node = connecting(server, Role.NODE, "node-2").get(5, TimeUnit.SECONDS);
        assertThat(silent1.closedByServer(5000)).as("the oldest waiting for its HELLO").isTrue();
        assertThat(node.request(Message.of(0x1002, new byte[] {1}), 5000).get(5, TimeUnit.SECONDS).bodyLength())
                .isEqualTo(REPLY_BYTES);
        assertThat(silent2.closedByServer(300)).isFalse();

        connecting(server, Role.CLIENT, "client-1").get(5, TimeUnit.SECONDS);
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> connecting(server, Role.CLIENT, "client-2").get(5, TimeUnit.SECONDS));
        assertThat(((ChorusException) refused.getCause()).code()).isEqualTo(ErrorCode.OVERLOADED);
        connecting(server, Role.NODE, "node-3").get(5, TimeUnit.SECONDS);
        TransportStats stats = server.stats();
        assertThat(stats.clientConnections()).isEqualTo(1);
        assertThat(stats.nodeConnections()).isEqualTo(2);
        assertThat(stats.refusedConnections()).isEqualTo(1);
        assertThat(stats.handshakeTimeouts()).as("evictions count with the timeouts").isGreaterThanOrEqualTo(1);
    }

    @Test
    void aPeerThatShutsDownItsOutputGetsEveryAnswerThenTheClose() throws Exception {
        ChorusServer server = server(config(), (from, request) -> delayed(request));
        RawConnection peer = raw(server, 0);
        peer.hello(Role.CLIENT, "half-closer");
        peer.send(gets(10, 3));
        peer.shutdownOutput();

        assertThat(peer.read().opcode()).isEqualTo(Opcodes.HELLO);
        Set<Long> answered = new HashSet<>();
        Frame f;
        while ((f = peer.read()) != null) {
            assertThat(f.isError()).as("%s", f).isFalse();
            answered.add(f.requestId());
        }
        assertThat(answered).containsExactlyInAnyOrder(10L, 11L, 12L);
    }

    /** Completes after a short while on another thread: the answers come after the peer's half-close. */
    private static CompletableFuture<Message> delayed(Message m) {
        return CompletableFuture.supplyAsync(() -> m,
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void aRequestIdAlreadyInFlightIsRefusedAndClosesTheConnection() throws Exception {
        List<Message> received = new CopyOnWriteArrayList<>();
        ChorusServer server = server(config(), (from, request) -> {
            received.add(request);
            return new CompletableFuture<>(); // never answered
        });
        RawConnection peer = raw(server, 0);
        peer.hello(Role.CLIENT, "reuses-ids");
        peer.send(get(7), get(7));

        assertThat(peer.read().opcode()).isEqualTo(Opcodes.HELLO);
        Frame refusal = peer.read();
        assertThat(refusal.requestId()).isEqualTo(7);
        assertThat(ErrorBody.decode(refusal.body()).errorCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(peer.read()).as("closed after the refusal").isNull();
        // The first was accepted before the duplicate came, so it runs; the duplicate never does.
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
        assertThat(received.get(0).body()).isEqualTo(get(7).body());
    }
}
