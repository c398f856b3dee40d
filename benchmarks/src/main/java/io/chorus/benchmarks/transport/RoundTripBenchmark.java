package io.chorus.benchmarks.transport;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.transport.Message;
import io.chorus.transport.netty.ChorusServer;
import io.chorus.transport.netty.ClientConnection;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.netty.ServerConfig;
import io.chorus.transport.protocol.GetRequest;
import io.chorus.transport.protocol.GetResponse;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Request throughput of one client connection over loopback with 64 requests in flight: each benchmark op sends
 * a window of 64 GETs and waits for all their responses (scores are per request, via
 * {@code OperationsPerInvocation}). {@code server = chorus} is the real path: a {@link ChorusServer} that hands
 * each request to its dispatch executor (a one-thread fork-join pool), where the handler decodes the GET and
 * answers with a sibling set of one 100-byte value. {@code server = echo} is the ceiling in the same run: a plain
 * Netty server with the same framing that echoes each frame on its event loop. Both are measured with the same
 * client (futures completed on its event loop), one I/O thread per side.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RoundTripBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(RoundTripBenchmark.WINDOW)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class RoundTripBenchmark {

    static final int WINDOW = 64;
    private static final int MASK = 1023;

    @Param({"chorus", "echo"})
    public String server;

    private final Message[] requests = new Message[MASK + 1];
    private final CompletableFuture<?>[] window = new CompletableFuture<?>[WINDOW];
    private EventLoops serverLoops;
    private EventLoops clientLoops;
    private ExecutorService dispatch;
    private ChorusServer chorus;
    private EchoServer echo;
    private ClientConnection client;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        for (int k = 0; k <= MASK; k++) {
            byte[] key = ("user:" + k).getBytes(StandardCharsets.UTF_8);
            requests[k] = Message.of(Opcodes.GET, new GetRequest(key, 3, 2, 1000).encode());
        }
        serverLoops = EventLoops.create(1, "bench-server");
        clientLoops = EventLoops.create(1, "bench-client");
        int port;
        if (server.equals("chorus")) {
            dispatch = new ForkJoinPool(1);
            chorus = new ChorusServer(ServerConfig.defaults(NodeId.of("bench"), () -> 1), dispatch, serverLoops);
            byte[] value = new byte[100];
            SiblingSet stored = SiblingSet.empty().update(VersionVector.empty(), ActorId.of("bench", 1), value,
                    1_700_000_000_000L);
            byte[] reply = new GetResponse(1, stored).encode();
            chorus.serveClients((from, req) -> {
                GetRequest.decode(req.bodyUnsafe()); // what a real handler does first; it throws when malformed
                return CompletableFuture.completedFuture(Message.of(Opcodes.GET, reply));
            });
            port = chorus.start();
        } else {
            echo = new EchoServer(serverLoops);
            port = echo.port();
        }
        client = ClientConnection.connect(clientLoops, new InetSocketAddress("127.0.0.1", port),
                HelloRequest.of(Role.CLIENT, "bench"), ClientOptions.callbacksOn(Runnable::run))
                .get(5, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        if (chorus != null) {
            chorus.stop();
            dispatch.shutdown();
        }
        if (echo != null) {
            echo.close();
        }
        clientLoops.close();
        serverLoops.close();
    }

    @Benchmark
    public Object roundTrips() {
        for (int k = 0; k < WINDOW; k++) {
            window[k] = client.request(requests[i++ & MASK], 10_000);
        }
        // join() throws if any request failed, so a broken run cannot pass for a fast one.
        CompletableFuture.allOf(window).join();
        return window[WINDOW - 1].join();
    }
}
