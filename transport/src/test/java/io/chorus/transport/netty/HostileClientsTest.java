package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.core.NodeId;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import io.chorus.transport.testing.LeakCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server against peers that attack before or just after authenticating, over real sockets: slow-loris
 * handshakes, a flood of handshakes from one address, frames too large for a handshake, and connections that
 * together hold more of partial frames than the node allows. In each, well-behaved peers are still served. Netty's
 * leak check runs after the class (LeakCheckExtension) and once more where buffers were left mid-frame.
 */
class HostileClientsTest {

    private static final String HOST = "127.0.0.1";
    /** Another loopback address: another source as the server counts them. */
    private static final String OTHER_SOURCE = "127.0.0.2";
    private static final Duration HANDSHAKE = Duration.ofMillis(500);

    private static EventLoops clientLoops;
    private static ExecutorService dispatch;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @BeforeAll
    static void startPools() {
        clientLoops = EventLoops.create(1, "hostile-client");
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

    /** Answers every request with the length of its body, 4 bytes. */
    private static RequestHandler bodyLengths() {
        return (from, request) -> CompletableFuture.completedFuture(Message.adopt(request.opcode(),
                ByteBuffer.allocate(4).putInt(request.bodyLength()).array()));
    }

    private ChorusServer server(ServerConfig config) {
        ChorusServer server = new ChorusServer(config, dispatch);
        server.serveClients(bodyLengths());
        server.start();
        toClose.push(server);
        return server;
    }

    private RawConnection raw(ChorusServer server) throws IOException {
        return track(new RawConnection(HOST, server.port(), 0));
    }

    private RawConnection rawFrom(String source, ChorusServer server) throws IOException {
        return track(RawConnection.from(source, HOST, server.port()));
    }

    private RawConnection track(RawConnection c) {
        toClose.push(c);
        return c;
    }

    private ClientConnection client(ChorusServer server, String name) throws Exception {
        ClientConnection c = ClientConnection.connect(clientLoops, new InetSocketAddress(HOST, server.port()),
                HelloRequest.of(Role.CLIENT, name), ClientOptions.defaults()).get(5, TimeUnit.SECONDS);
        toClose.push(c);
        return c;
    }

    /** A request round-trips on a fresh connection: the server serves well-behaved clients. */
    private void assertServed(ChorusServer server, String name) throws Exception {
        Message reply = client(server, name).request(Message.of(Opcodes.GET, new byte[] {1, 2, 3}), 5000)
                .get(5, TimeUnit.SECONDS);
        assertThat(ByteBuffer.wrap(reply.body()).getInt()).isEqualTo(3);
    }

    /** The same over a raw socket from {@code source}, which the real client cannot choose. */
    private void assertServedFrom(String source, ChorusServer server) throws Exception {
        RawConnection c = rawFrom(source, server);
        c.hello(Role.CLIENT, "from-" + source);
        assertThat(c.read().isError()).isFalse();
        c.send(Frame.request(1, Opcodes.GET, 2, new byte[] {1, 2, 3}));
        Frame reply = c.read();
        assertThat(reply.isError()).as("%s", reply).isFalse();
        assertThat(ByteBuffer.wrap(reply.body()).getInt()).isEqualTo(3);
    }

    private static ErrorCode errorOf(Frame f) {
        assertThat(f).isNotNull();
        assertThat(f.isError()).as("%s", f).isTrue();
        return ErrorBody.decode(f.body()).errorCode();
    }

    private static byte[] helloBytes(String name) {
        return TrackedBuffers.bytes(Frame.request(1, Opcodes.HELLO, 1, HelloRequest.of(Role.CLIENT, name).encode()));
    }

    // ---- slow-loris -----------------------------------------------------------------------------------------

    /** One slow-loris socket: how far into its HELLO it got, and when it was closed (0 while open). */
    private static final class Trickler {
        final SocketChannel socket;
        final long connectedNanos = System.nanoTime();
        final byte[] hello;
        volatile int sent;
        volatile long closedNanos;
        volatile boolean answered;

        Trickler(SocketChannel socket, byte[] hello) {
            this.socket = socket;
            this.hello = hello;
        }

        /**
         * The HELLO's length and header at the first tick, then one more byte of its body at each; notices a close
         * (end of stream or reset) and any answer.
         */
        void tick() {
            if (closedNanos != 0) {
                return;
            }
            try {
                ByteBuffer in = ByteBuffer.allocate(256);
                int read = socket.read(in);
                if (read > 0) {
                    answered = true;
                }
                if (read < 0) {
                    closed();
                    return;
                }
                int next = sent == 0 ? Frame.LENGTH_BYTES + Frame.HEADER_BYTES : 1;
                if (sent + next <= hello.length) {
                    socket.write(ByteBuffer.wrap(hello, sent, next));
                    sent += next;
                }
            } catch (IOException e) {
                closed();
            }
        }

        private void closed() {
            closedNanos = System.nanoTime();
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }

        long lifeMillis() {
            return TimeUnit.NANOSECONDS.toMillis(closedNanos - connectedNanos);
        }
    }

    @Test
    void slowLorisHandshakesAreClosedAtTheDeadlineHoweverTheyTrickleWhileOthersAreServed() throws Exception {
        int count = 100;
        ChorusServer server = server(config().withHandshakeTimeout(HANDSHAKE).withSourceLimits(512, count + 8));
        List<Trickler> tricklers = new ArrayList<>();
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        toClose.push(pace::shutdownNow);
        AtomicLong maxBuffered = new AtomicLong();
        AtomicLong maxPending = new AtomicLong();
        for (int i = 0; i < count; i++) {
            SocketChannel s = SocketChannel.open(new InetSocketAddress(HOST, server.port()));
            s.configureBlocking(false);
            // A HELLO body at a byte per 100 ms takes 5 s or more: ten times the deadline.
            byte[] hello = helloBytes("slow-loris-" + i + "-".repeat(40));
            assertThat(hello.length - Frame.LENGTH_BYTES - Frame.HEADER_BYTES).isGreaterThan(50);
            tricklers.add(new Trickler(s, hello));
            toClose.push(s);
        }
        pace.scheduleAtFixedRate(() -> {
            tricklers.forEach(Trickler::tick);
            TransportStats stats = server.stats();
            maxBuffered.accumulateAndGet(stats.partialFrameBytes(), Math::max);
            maxPending.accumulateAndGet(stats.pendingHandshakes(), Math::max);
        }, 0, 100, TimeUnit.MILLISECONDS);

        assertServed(server, "well-behaved");
        assertThat(tricklers.stream().filter(t -> t.closedNanos == 0).count())
                .as("served while slow-loris sockets were still open").isPositive();

        await().atMost(Duration.ofSeconds(10)).until(() -> tricklers.stream().allMatch(t -> t.closedNanos != 0));
        for (Trickler t : tricklers) {
            assertThat(t.lifeMillis()).as("closed at the deadline, bytes or not").isBetween(450L, 2_500L);
            assertThat(t.sent).as("closed before its HELLO was complete").isLessThan(t.hello.length);
            assertThat(t.answered).as("closed without an answer").isFalse();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().handshakeTimeouts() == count);
        assertThat(maxBuffered.get()).as("pre-handshake frames are small: nothing held in the budget").isZero();
        assertThat(maxPending.get()).isLessThanOrEqualTo(count + 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().pendingHandshakes() == 0);
    }

    // ---- handshake flood ------------------------------------------------------------------------------------

    @Test
    void aHandshakeFloodFromOneAddressIsCutAtItsLimitAndCannotEvictOthers() throws Exception {
        int perSource = 16;
        int flood = 40;
        // Globally 20 pending slots: without the per-source limit, the flood would evict the other address's.
        ChorusServer server = server(config().withConnectionLimits(1024, 256, 20).withSourceLimits(512, perSource)
                .withHandshakeTimeout(Duration.ofSeconds(20)));
        RawConnection otherSilent = rawFrom(OTHER_SOURCE, server);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().pendingHandshakes() == 1);

        List<RawConnection> flooders = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
            flooders.add(raw(server));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().refusedBySource() == flood - perSource);
        assertThat(server.stats().pendingHandshakes()).isEqualTo(perSource + 1);
        int closed = 0;
        for (RawConnection c : flooders) {
            closed += c.closedByServer(100) ? 1 : 0;
        }
        assertThat(closed).as("closed on accept, over the address's limit").isEqualTo(flood - perSource);

        assertThat(otherSilent.closedByServer(300)).as("not evicted by the flood").isFalse();
        assertThat(server.stats().handshakeTimeouts()).as("no eviction, no timeout").isZero();
        assertServedFrom(OTHER_SOURCE, server);
        assertThat(raw(server).closedByServer(5000))
                .as("the flooding address itself gets no more handshakes").isTrue();
    }

    @Test
    void oneAddressHoldsAtMostItsConnectionsAndGetsOneBackWhenOneCloses() throws Exception {
        ChorusServer server = server(config().withSourceLimits(3, 64));
        List<ClientConnection> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(client(server, "client-" + i));
        }
        RawConnection fourth = raw(server);
        assertThat(fourth.closedByServer(5000)).as("over the address's 3 connections").isTrue();
        assertThat(server.stats().refusedBySource()).isEqualTo(1);
        assertServedFrom(OTHER_SOURCE, server);

        held.get(0).close();
        // Two of this address's and the other address's one.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().clientConnections() == 3);
        assertServed(server, "after-a-close");
        assertThat(server.stats().refusedBySource()).isEqualTo(1);
    }

    // ---- frame limits before and after the handshake --------------------------------------------------------

    @Test
    void aLargeFrameBeforeTheHandshakeIsTooLargeAndTheSameAfterItIsServed() throws Exception {
        ChorusServer server = server(config());
        int mib = 1 << 20;
        RawConnection early = raw(server);
        early.write(helloHeaderClaiming(mib), 0, Frame.LENGTH_BYTES + Frame.HEADER_BYTES);
        Frame refusal = early.read();
        assertThat(errorOf(refusal)).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(ErrorBody.decode(refusal.body()).message()).contains(String.valueOf(mib), "8192");
        assertThat(early.read()).as("then closed").isNull();

        // Headers only: a server that closes a socket with bytes still unread resets it, which could overtake
        // the error frame.
        RawConnection justOver = raw(server);
        justOver.write(helloHeaderClaiming(ServerConfig.DEFAULT_MAX_HANDSHAKE_FRAME_BYTES + 1), 0,
                Frame.LENGTH_BYTES + Frame.HEADER_BYTES);
        assertThat(errorOf(justOver.read())).isEqualTo(ErrorCode.TOO_LARGE);
        RawConnection atLimit = raw(server);
        atLimit.send(Frame.request(1, Opcodes.HELLO, 1, new byte[ServerConfig.DEFAULT_MAX_HANDSHAKE_FRAME_BYTES
                - Frame.HEADER_BYTES]));
        assertThat(errorOf(atLimit.read())).as("read, then refused as a HELLO").isEqualTo(ErrorCode.BAD_REQUEST);

        RawConnection late = raw(server);
        late.hello(Role.CLIENT, "authenticated");
        assertThat(late.read().isError()).isFalse();
        late.send(Frame.request(1, Opcodes.GET, 7, new byte[mib - Frame.HEADER_BYTES]));
        Frame reply = late.read();
        assertThat(reply.isError()).as("%s", reply).isFalse();
        assertThat(ByteBuffer.wrap(reply.body()).getInt()).isEqualTo(mib - Frame.HEADER_BYTES);
    }

    /** The length prefix and header of a HELLO request claiming {@code length} bytes of frame. */
    private static byte[] helloHeaderClaiming(int length) {
        byte[] wire = TrackedBuffers.bytes(Frame.request(1, Opcodes.HELLO, 1, new byte[0]));
        ByteBuffer.wrap(wire).putInt(length);
        return wire;
    }

    // ---- the budget for partial frames ----------------------------------------------------------------------

    @Test
    void connectionsThatTogetherHoldTooMuchOfPartialFramesLoseOnlyTheOneOverTheBudget() throws Exception {
        int budget = 1 << 20;
        int frame = 512 * 1024;
        int half = frame / 2;
        long heldPerConnection = half - Frame.LENGTH_BYTES - Frame.HEADER_BYTES;
        ChorusServer server = server(config().withMaxPartialFrameBytes(budget));
        List<byte[]> wires = new ArrayList<>();
        List<RawConnection> halfway = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RawConnection c = authenticated(server, "half-" + i);
            byte[] wire = TrackedBuffers.bytes(Frame.request(1, Opcodes.PUT, 100 + i,
                    new byte[frame - Frame.HEADER_BYTES]));
            wires.add(wire);
            c.write(wire, 0, half);
            long expected = (i + 1) * heldPerConnection;
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().partialFrameBytes() == expected);
            halfway.add(c);
        }
        assertThat(4 * heldPerConnection).as("4 halves fit, with 64 bytes to spare").isEqualTo(budget - 64);

        // The fifth starts its half with a kilobyte that no longer fits. (A small first write: a server that
        // closes a socket with bytes still unread sends a reset, which could overtake its error frame.)
        RawConnection fifth = authenticated(server, "over-budget");
        byte[] fifthWire = TrackedBuffers.bytes(Frame.request(1, Opcodes.PUT, 500, new byte[frame
                - Frame.HEADER_BYTES]));
        fifth.write(fifthWire, 0, Frame.LENGTH_BYTES + Frame.HEADER_BYTES + 1024);
        Frame refusal = fifth.read();
        assertThat(errorOf(refusal)).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(refusal.requestId()).isEqualTo(500);
        assertThat(ErrorBody.decode(refusal.body()).message()).contains("buffer for partial frames is full");
        assertThat(fifth.read()).as("then closed").isNull();
        assertThat(server.stats().partialFrameRefusals()).isEqualTo(1);
        assertThat(server.stats().partialFrameBytes()).isEqualTo(4 * heldPerConnection);

        // One goes away mid-frame and gives back what it held; that makes room for the others to finish, one at
        // a time (each grows by the other half of its frame before it completes).
        halfway.get(3).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().partialFrameBytes() == 3 * heldPerConnection);
        for (int i = 0; i < 3; i++) {
            RawConnection c = halfway.get(i);
            c.write(wires.get(i), half, wires.get(i).length);
            Frame reply = c.read();
            assertThat(reply.isError()).as("%s", reply).isFalse();
            assertThat(reply.requestId()).isEqualTo(100 + i);
            assertThat(ByteBuffer.wrap(reply.body()).getInt()).isEqualTo(frame - Frame.HEADER_BYTES);
            assertThat(server.stats().partialFrameBytes()).as("a complete frame holds nothing")
                    .isEqualTo((2 - i) * heldPerConnection);
        }
        assertThat(server.stats().partialFrameRefusals()).isEqualTo(1);
        assertThat(server.stats().clientConnections()).isEqualTo(3);
        assertThat(LeakCheck.leaksSoFar()).as("cumulations of closed connections released").isEmpty();
    }

    private RawConnection authenticated(ChorusServer server, String name) throws IOException {
        RawConnection c = raw(server);
        c.hello(Role.CLIENT, name);
        Frame hello = c.read();
        assertThat(hello.isError()).as("%s", hello).isFalse();
        return c;
    }
}
