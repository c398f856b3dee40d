package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.transport.RemoteException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes in one JVM, each with its server and transport on shared event loops, talking over loopback. */
class NettyTransportTest {

    private static final NodeId A = NodeId.of("node-a");
    private static final NodeId B = NodeId.of("node-b");
    private static final int REPLICA_OP = 0x1001;

    private final Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private EventLoops loops;
    private ExecutorService executor;
    private ChorusServer serverA;
    private ChorusServer serverB;
    private NettyTransport a;
    private NettyTransport b;

    @BeforeEach
    void startNodes() {
        loops = EventLoops.create(2, "test-nodes");
        executor = Executors.newFixedThreadPool(4);
        serverA = startServer(A, 0);
        serverB = startServer(B, 0);
        a = transport(A, serverA);
        b = transport(B, serverB);
    }

    @AfterEach
    void stopNodes() {
        a.close();
        b.close();
        serverA.stop();
        serverB.stop();
        loops.close();
        executor.shutdownNow();
    }

    private ChorusServer startServer(NodeId id, int port) {
        ChorusServer server = new ChorusServer(ServerConfig.defaults(id, () -> 1).withPort(port), executor, loops);
        addresses.put(id, new InetSocketAddress("127.0.0.1", server.start()));
        return server;
    }

    private NettyTransport transport(NodeId id, ChorusServer server) {
        return new NettyTransport(id, addresses::get, loops, server,
                ClientOptions.callbacksOn(executor).withConnectTimeoutMillis(1000));
    }

    private static Message msg(String text) {
        return Message.of(REPLICA_OP, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Message m) {
        return new String(m.bodyUnsafe(), StandardCharsets.UTF_8);
    }

    private static ChorusException failure(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(ChorusException.class);
        return (ChorusException) e.getCause();
    }

    @Test
    void twoNodesExchangeRequestsBothWays() throws Exception {
        a.serve((from, req) -> CompletableFuture.completedFuture(msg("a got " + text(req) + " from " + from)));
        b.serve((from, req) -> CompletableFuture.completedFuture(msg("b got " + text(req) + " from " + from)));
        assertThat(text(a.request(B, msg("x"), 5000).get(5, TimeUnit.SECONDS))).isEqualTo("b got x from node-a");
        assertThat(text(b.request(A, msg("y"), 5000).get(5, TimeUnit.SECONDS))).isEqualTo("a got y from node-b");
        // The connection is reused.
        for (int i = 0; i < 50; i++) {
            assertThat(text(a.request(B, msg("" + i), 5000).get(5, TimeUnit.SECONDS))).startsWith("b got " + i);
        }
        assertThat(serverB.connectionCount()).isEqualTo(1);
    }

    @Test
    void errorRepliesCarryTheirCodes() {
        b.serve((from, req) -> {
            throw new ChorusException(ErrorCode.NOT_A_REPLICA, "ask someone else");
        });
        ChorusException e = failure(a.request(B, msg("x"), 5000));
        assertThat(e).isInstanceOf(RemoteException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_A_REPLICA);
        assertThat(e.getMessage()).isEqualTo("ask someone else");
    }

    @Test
    void beforeServeAndAfterCloseRequestsGetUnavailable() {
        assertThat(failure(a.request(B, msg("x"), 5000)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        b.close();
        assertThat(failure(b.request(A, msg("x"), 5000)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void anUnknownOrDeadPeerFailsFastWithUnavailable() {
        assertThat(failure(a.request(NodeId.of("nobody"), msg("x"), 5000)).code())
                .isEqualTo(ErrorCode.UNAVAILABLE);
        serverB.stop();
        long start = System.nanoTime();
        assertThat(failure(a.request(B, msg("x"), 5000)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500);
    }

    @Test
    void aRequestTheHandlerNeverAnswersTimesOut() {
        b.serve((from, req) -> new CompletableFuture<>());
        assertThat(failure(a.request(B, msg("x"), 200)).code()).isEqualTo(ErrorCode.TIMEOUT);
    }

    /** On a new or an open connection alike: a timeout under 1 ms (an overflowed budget) is a failed future. */
    @Test
    void aTimeoutBelowOneMillisecondFailsTheFutureWithTimeout() throws Exception {
        b.serve((from, req) -> CompletableFuture.completedFuture(msg("ok")));
        assertThat(failure(a.request(B, msg("x"), 0)).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(text(a.request(B, msg("x"), 5000).get(5, TimeUnit.SECONDS))).isEqualTo("ok");
        assertThat(failure(a.request(B, msg("x"), -5)).code()).isEqualTo(ErrorCode.TIMEOUT);
    }

    @Test
    void aRestartedPeerIsReachedAgain() throws Exception {
        b.serve((from, req) -> CompletableFuture.completedFuture(msg("first")));
        assertThat(text(a.request(B, msg("x"), 5000).get(5, TimeUnit.SECONDS))).isEqualTo("first");
        int port = addresses.get(B).getPort();
        AtomicReference<CompletableFuture<Message>> hanging = new AtomicReference<>();
        b.serve((from, req) -> new CompletableFuture<>());
        hanging.set(a.request(B, msg("lost"), 10_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> serverB.connectionCount() == 1);

        b.close();
        serverB.stop();
        assertThat(failure(hanging.get()).code()).isEqualTo(ErrorCode.UNAVAILABLE);

        serverB = startServer(B, port);
        b = transport(B, serverB);
        b.serve((from, req) -> CompletableFuture.completedFuture(msg("second")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(text(a.request(B, msg("x"), 1000).get(5, TimeUnit.SECONDS))).isEqualTo("second"));
    }

    @Test
    void closingTheTransportFailsItsRequestsInFlight() {
        b.serve((from, req) -> new CompletableFuture<>());
        CompletableFuture<Message> inFlight = a.request(B, msg("x"), 10_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> serverB.connectionCount() == 1);
        a.close();
        assertThat(failure(inFlight).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }
}
