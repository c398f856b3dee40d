package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.NotSentException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.RemoteException;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PingBody;
import io.chorus.transport.protocol.Role;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real server and real client connections on loopback, ephemeral ports. */
class ClientServerTest {

    private static final NodeId SERVER_ID = NodeId.of("server-1");
    private static final String HOST = "127.0.0.1";

    private static EventLoops clientLoops;
    private static ExecutorService dispatch;
    private static ScheduledExecutorService delays;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @BeforeAll
    static void startPools() {
        clientLoops = EventLoops.create(2, "test-client");
        dispatch = Executors.newFixedThreadPool(4);
        delays = Executors.newScheduledThreadPool(2);
    }

    @AfterAll
    static void stopPools() {
        clientLoops.close();
        dispatch.shutdownNow();
        delays.shutdownNow();
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private static ServerConfig config() {
        return ServerConfig.defaults(SERVER_ID, () -> 5).withHost(HOST).withIoThreads(1);
    }

    private ChorusServer server(ServerConfig config, RequestHandler clients) {
        ChorusServer server = new ChorusServer(config, dispatch);
        server.serveClients(clients);
        server.start();
        toClose.push(server);
        return server;
    }

    private CompletableFuture<ClientConnection> connecting(int port) {
        return ClientConnection.connect(clientLoops, new InetSocketAddress(HOST, port),
                HelloRequest.of(Role.CLIENT, "test-client"), ClientOptions.defaults());
    }

    private ClientConnection connect(int port) throws Exception {
        ClientConnection c = connecting(port).get(5, TimeUnit.SECONDS);
        toClose.push(c);
        return c;
    }

    private static Message get(int i) {
        return Message.of(Opcodes.GET, ByteBuffer.allocate(4).putInt(i).array());
    }

    private static ChorusException failure(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(ChorusException.class);
        return (ChorusException) e.getCause();
    }

    /** Holds every request until the test releases it. */
    private static final class Holding implements RequestHandler {
        final List<CompletableFuture<Message>> held = new CopyOnWriteArrayList<>();
        final List<Message> requests = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Message> handle(NodeId from, Message request) {
            CompletableFuture<Message> f = new CompletableFuture<>();
            requests.add(request);
            held.add(f);
            return f;
        }

        void releaseAll() {
            for (int i = 0; i < held.size(); i++) {
                held.get(i).complete(requests.get(i));
            }
        }
    }

    @Test
    void manyConcurrentRequestsOnOneConnectionAreMatchedToTheirResponses() throws Exception {
        ConcurrentLinkedQueue<Integer> answered = new ConcurrentLinkedQueue<>();
        // All 2000 may be in flight at once (answers take up to 3 ms): raise the cap, which has its own test.
        ChorusServer server = server(config().withMaxInFlightPerConnection(4096), (from, req) -> {
            // Answer later, after a random delay: responses come back out of order.
            CompletableFuture<Message> f = new CompletableFuture<>();
            int i = ByteBuffer.wrap(req.bodyUnsafe()).getInt();
            delays.schedule(() -> {
                answered.add(i);
                f.complete(Message.of(req.opcode(), ByteBuffer.allocate(8).putInt(i).putInt(~i).array()));
            }, ThreadLocalRandom.current().nextInt(3000), TimeUnit.MICROSECONDS);
            return f;
        });
        ClientConnection client = connect(server.port());
        int n = 2000;
        List<CompletableFuture<Message>> replies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            replies.add(client.request(get(i), 20_000));
        }
        CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < n; i++) {
            ByteBuffer body = ByteBuffer.wrap(replies.get(i).join().bodyUnsafe());
            assertThat(body.getInt()).isEqualTo(i);
            assertThat(body.getInt()).isEqualTo(~i);
        }
        assertThat(answered).hasSize(n);
        List<Integer> order = new ArrayList<>(answered);
        assertThat(order).as("answered out of order").isNotEqualTo(order.stream().sorted().toList());
    }

    @Test
    void onlyOpcodesTheHandlerCallsNonBlockingRunOnTheEventLoop() throws Exception {
        ExecutorService named = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-dispatch"));
        try {
            RequestHandler handler = new RequestHandler() {
                @Override
                public CompletableFuture<Message> handle(NodeId from, Message request) {
                    return CompletableFuture.completedFuture(Message.of(request.opcode(),
                            Thread.currentThread().getName().getBytes(StandardCharsets.UTF_8)));
                }

                @Override
                public boolean nonBlocking(int opcode) {
                    return opcode == Opcodes.PUT;
                }
            };
            ChorusServer server = new ChorusServer(config(), named);
            server.serveClients(handler);
            server.start();
            toClose.push(server);
            ClientConnection client = connect(server.port());
            String put = new String(client.request(Message.of(Opcodes.PUT, new byte[] {1}), 5000)
                    .get(5, TimeUnit.SECONDS).bodyUnsafe(), StandardCharsets.UTF_8);
            String get = new String(client.request(get(1), 5000).get(5, TimeUnit.SECONDS).bodyUnsafe(),
                    StandardCharsets.UTF_8);
            assertThat(get).isEqualTo("test-dispatch");
            assertThat(put).as("PUT ran on the server's event loop").isNotEqualTo("test-dispatch")
                    .contains(SERVER_ID.name());
        } finally {
            named.shutdownNow();
        }
    }

    @Test
    void pingIsAnsweredByTheServer() throws Exception {
        ChorusServer server = server(config(), null);
        ClientConnection client = connect(server.port());
        byte[] ping = new PingBody(new byte[] {1, 2, 3}).encode();
        assertThat(client.request(Message.of(Opcodes.PING, ping), 5000).get(5, TimeUnit.SECONDS).bodyUnsafe())
                .isEqualTo(ping);
        assertThat(client.server().nodeId()).isEqualTo(SERVER_ID);
        assertThat(client.server().ringVersion()).isEqualTo(5);
    }

    @Test
    void aRestartedServerIsReachedAgainAndRequestsInFlightFailUnavailable() throws Exception {
        Holding holding = new Holding();
        ChorusServer first = server(config(), holding);
        int port = first.port();
        ClientConnection client = connect(port);
        CompletableFuture<Message> inFlight = client.request(get(1), 10_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> holding.held.size() == 1);

        first.stop();
        // In flight when the connection went: it may have run, so it is not marked as never sent.
        assertThat(failure(inFlight)).isNotInstanceOf(NotSentException.class)
                .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        client.closeFuture().get(5, TimeUnit.SECONDS);
        // Sent on a connection already closed: it never left, which even a write may be retried after.
        assertThat(failure(client.request(get(2), 1000))).isInstanceOf(NotSentException.class)
                .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

        ChorusServer second = server(config().withPort(port), (from, req) -> CompletableFuture.completedFuture(req));
        assertThat(second.port()).isEqualTo(port);
        ClientConnection again = connect(port);
        assertThat(again.request(get(3), 5000).get(5, TimeUnit.SECONDS)).isEqualTo(get(3));
    }

    @Test
    void aDeadNodeFailsFastWithUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        ChorusException e = failure(connecting(port));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500);
    }

    @Test
    void aRequestNobodyAnswersTimesOut() throws Exception {
        Holding holding = new Holding();
        ChorusServer server = server(config(), holding);
        ClientConnection client = connect(server.port());
        long start = System.nanoTime();
        assertThat(failure(client.request(get(1), 150)).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(140);
        // The late response is dropped; the connection keeps working.
        holding.releaseAll();
        assertThat(client.request(Message.of(Opcodes.PING, new byte[] {0}), 5000).get(5, TimeUnit.SECONDS))
                .isNotNull();
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void aShortTimeoutBehindALongOneStillFiresOnTime() throws Exception {
        Holding holding = new Holding();
        ChorusServer server = server(config(), holding);
        ClientConnection client = connect(server.port());
        CompletableFuture<Message> patient = client.request(get(1), 30_000);
        long start = System.nanoTime();
        assertThat(failure(client.request(get(2), 100)).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(90L, 5_000L);
        assertThat(patient).isNotDone();
        await().atMost(Duration.ofSeconds(5)).until(() -> holding.held.size() == 2);
        holding.releaseAll();
        assertThat(patient.get(5, TimeUnit.SECONDS)).isEqualTo(get(1));
    }

    @Test
    void requestsOverTheInFlightLimitGetOverloaded() throws Exception {
        Holding holding = new Holding();
        ChorusServer server = server(config().withMaxInFlightPerConnection(4), holding);
        ClientConnection client = connect(server.port());
        List<CompletableFuture<Message>> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            replies.add(client.request(get(i), 10_000));
        }
        assertThat(failure(replies.get(4)).code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(failure(replies.get(5)).code()).isEqualTo(ErrorCode.OVERLOADED);
        await().atMost(Duration.ofSeconds(5)).until(() -> holding.held.size() == 4);
        holding.releaseAll();
        for (int i = 0; i < 4; i++) {
            assertThat(replies.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(get(i));
        }
        // Room again once they are answered.
        holding.held.clear();
        holding.requests.clear();
        CompletableFuture<Message> next = client.request(get(9), 10_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> holding.held.size() == 1);
        holding.releaseAll();
        assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo(get(9));
    }

    @Test
    void anOversizedFrameClosesOnlyThatConnection() throws Exception {
        ChorusServer server = server(config().withMaxFrameBytes(64 * 1024),
                (from, req) -> CompletableFuture.completedFuture(req));
        ClientConnection good = connect(server.port());
        assertThat(good.request(get(1), 5000).get(5, TimeUnit.SECONDS)).isEqualTo(get(1));

        try (Socket raw = new Socket(HOST, server.port())) {
            raw.setSoTimeout(5000);
            OutputStream out = raw.getOutputStream();
            out.write(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 0, 2, 0});
            out.flush();
            DataInputStream in = new DataInputStream(raw.getInputStream());
            int length = in.readInt();
            byte[] frame = new byte[length];
            in.readFully(frame);
            ByteBuffer header = ByteBuffer.wrap(frame);
            assertThat(header.get()).isEqualTo((byte) 1);
            header.getShort();
            assertThat(header.get()).isEqualTo((byte) 0x03);
            assertThat(header.getLong()).isZero();
            byte[] body = new byte[length - Frame.HEADER_BYTES];
            header.get(body);
            assertThat(ErrorBody.decode(body).errorCode()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(in.read()).as("closed by the server").isEqualTo(-1);
        }
        assertThat(good.request(get(2), 5000).get(5, TimeUnit.SECONDS)).isEqualTo(get(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 1);

        // The client checks its own requests against the frame limit before sending.
        assertThat(failure(good.request(Message.of(Opcodes.PUT, new byte[16 * 1024 * 1024]), 5000)).code())
                .isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(good.isOpen()).isTrue();
    }

    @Test
    void garbageFromAClientDoesNotHurtTheServer() throws Exception {
        ChorusServer server = server(config(), (from, req) -> CompletableFuture.completedFuture(req));
        byte[] garbage = new byte[4096];
        ThreadLocalRandom.current().nextBytes(garbage);
        for (int i = 0; i < 5; i++) {
            try (Socket raw = new Socket(HOST, server.port())) {
                raw.getOutputStream().write(garbage);
            } catch (IOException e) {
                // The server may close first and reset us; that is its right.
            }
        }
        ClientConnection client = connect(server.port());
        assertThat(client.request(get(1), 5000).get(5, TimeUnit.SECONDS)).isEqualTo(get(1));
    }

    @Test
    void anIdleConnectionIsClosedByTheServer() throws Exception {
        ChorusServer server = server(config().withIdleTimeout(Duration.ofMillis(300)), null);
        ClientConnection client = connect(server.port());
        client.closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void aConnectionWaitingForAnAnswerIsNotIdle() throws Exception {
        // A REPAIR may run for minutes while its client sends nothing: the idle timeout must not cut it off.
        // An idle timeout long enough for the handshake on a loaded machine; an answer three times as late.
        ChorusServer server = server(config().withIdleTimeout(Duration.ofMillis(1000)), (from, req) ->
                CompletableFuture.supplyAsync(() -> req,
                        CompletableFuture.delayedExecutor(3000, TimeUnit.MILLISECONDS)));
        ClientConnection client = connect(server.port());
        assertThat(client.request(get(1), 10_000).get(10, TimeUnit.SECONDS)).isNotNull();
        client.closeFuture().get(10, TimeUnit.SECONDS); // and once answered, idle again: closed
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void clientConnectionsOverTheLimitAreRefusedAtHello() throws Exception {
        ChorusServer server = server(config().withConnectionLimits(2, 2, 4), null);
        ClientConnection one = connect(server.port());
        connect(server.port());
        assertThat(failure(connecting(server.port())).code()).isEqualTo(ErrorCode.OVERLOADED);
        one.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 1);
        assertThat(connect(server.port()).isOpen()).isTrue();
    }

    @Test
    void errorRepliesCarryCodeAcksAndRequired() throws Exception {
        ChorusServer server = server(config(), (from, req) -> CompletableFuture.failedFuture(
                new RemoteException(ErrorCode.QUORUM_NOT_MET, 5, "1 of 2 replicas answered", 1, 2)));
        ClientConnection client = connect(server.port());
        ChorusException e = failure(client.request(get(1), 5000));
        assertThat(e).isInstanceOfSatisfying(RemoteException.class, remote -> {
            assertThat(remote.code()).isEqualTo(ErrorCode.QUORUM_NOT_MET);
            assertThat(remote.acks()).isEqualTo(1);
            assertThat(remote.required()).isEqualTo(2);
            assertThat(remote.getMessage()).isEqualTo("1 of 2 replicas answered");
        });
    }

    @Test
    void aClientOfferingOnlyNewerVersionsIsRefused() {
        CompletableFuture<ClientConnection> f = ClientConnection.connect(clientLoops,
                new InetSocketAddress(HOST, server(config(), null).port()),
                new HelloRequest(2, 3, Role.CLIENT, "from-the-future"), ClientOptions.defaults());
        assertThat(failure(f).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void helloIsReservedForConnect() throws Exception {
        ClientConnection client = connect(server(config(), null).port());
        assertThatThrownBy(() -> client.request(Message.of(Opcodes.HELLO, new byte[0]), 100))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
