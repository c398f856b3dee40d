package io.chorus.benchmarks;

import io.chorus.benchmarks.transport.EchoServer;
import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.client.ClientConfig;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.transport.Message;
import io.chorus.server.EmbeddedCluster;
import io.chorus.storage.Durability;
import io.chorus.transport.netty.ClientConnection;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.protocol.GetRequest;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end throughput of a 3-node {@link EmbeddedCluster} (real Netty on loopback, real LMDB; N = 3, R = W = 2,
 * 100-byte values) through the Java client with 64 requests in flight, next to the transport's ceiling in the same
 * run: a plain Netty echo server with the same framing, driven by the same client connection code with the same
 * window of 64 requests in flight (a new request is issued as soon as any completes). Targets: get
 * at least 0.25x echo, put at least 0.2x echo (NOSYNC). Each put writes with the context its
 * key's previous put returned, as a read-modify-write client does, so keys do not pile up siblings.
 *
 * <p>On the 2-core development machine the echo baseline is bimodal: each fork settles near 110-140k or near
 * 250-330k requests/s for all its iterations, so a ratio against one fork's echo can swing by 2x; the echo runs
 * once per durability, which gives two forks to compare against. CPU per operation ({@code -prof perfnorm}, see
 * the README) is steadier than throughput for judging a change.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ClusterBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ClusterBenchmark {

    static final int WINDOW = 64;
    private static final int KEYS = 1 << 13;
    private static final int MASK = KEYS - 1;

    @Param({"NOSYNC", "SYNC"})
    public Durability durability;

    private final byte[][] keys = new byte[KEYS][];
    private final VersionVector[] contexts = new VersionVector[KEYS];
    private final Message[] echoRequests = new Message[KEYS];
    private final byte[] value = new byte[100];
    private EmbeddedCluster cluster;
    private ChorusClient client;
    private EventLoops echoLoops;
    private EchoServer echo;
    private ClientConnection echoClient;
    /** One permit per request that may be in flight; a completion returns its permit. */
    private final Semaphore window = new Semaphore(WINDOW);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        new Random(3).nextBytes(value);
        cluster = EmbeddedCluster.builder().nodes(3).durability(durability).start();
        client = ChorusClient.connect(ClientConfig.builder(cluster.addresses()).ioThreads(1)
                .callbackExecutor(Runnable::run).build());
        List<CompletableFuture<ChorusObject>> loading = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys[k] = ("bench:" + k).getBytes(StandardCharsets.UTF_8);
            echoRequests[k] = Message.of(Opcodes.GET, new GetRequest(keys[k], 3, 2, 1000).encode());
            loading.add(client.putAsync(keys[k], value, null));
            if (loading.size() == WINDOW) {
                drainContexts(loading, k - WINDOW + 1);
            }
        }
        echoLoops = EventLoops.create(1, "bench-echo");
        echo = new EchoServer(echoLoops);
        echoClient = ClientConnection.connect(echoLoops, new InetSocketAddress("127.0.0.1", echo.port()),
                HelloRequest.of(Role.CLIENT, "bench"), ClientOptions.callbacksOn(Runnable::run))
                .get(5, TimeUnit.SECONDS);
    }

    private void drainContexts(List<CompletableFuture<ChorusObject>> batch, int firstKey) {
        for (int j = 0; j < batch.size(); j++) {
            contexts[(firstKey + j) & MASK] = batch.get(j).join().context();
        }
        batch.clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        window.acquire(WINDOW);
        window.release(WINDOW);
        // Batch sizes, and proof that the run had no hints or quorum failures skewing it.
        cluster.nodes().forEach(n -> System.out.println(n.id() + ": " + n.storage().stats() + ", "
                + n.coordinator().stats()));
        echoClient.close();
        echo.close();
        echoLoops.close();
        client.close();
        cluster.close();
    }

    /**
     * Waits for a free place in the window: a request is issued as soon as any of the 64 in flight completes, so
     * exactly 64 are outstanding whatever the spread of their latencies (waiting for the oldest instead would
     * leave places empty behind a slow one). The operation counted is the issue; in a steady state issues and
     * completions run at the same rate. A failed request fails the benchmark.
     */
    private void enter() throws InterruptedException {
        window.acquire();
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("a request failed", failed);
        }
    }

    private void leave(Throwable error) {
        if (error != null) {
            failure.compareAndSet(null, error);
        }
        window.release();
    }

    @Benchmark
    public void get() throws InterruptedException {
        enter();
        client.getAsync(keys[i++ & MASK]).whenComplete((object, error) -> leave(error));
    }

    @Benchmark
    public void put() throws InterruptedException {
        enter();
        int key = i++ & MASK;
        client.putAsync(keys[key], value, contexts[key]).whenComplete((object, error) -> {
            if (object != null) {
                // Read by the put of this key 8192 requests later; the semaphore orders the two.
                contexts[key] = object.context();
            }
            leave(error);
        });
    }

    @Benchmark
    public void echo() throws InterruptedException {
        enter();
        echoClient.request(echoRequests[i++ & MASK], 10_000).whenComplete((reply, error) -> leave(error));
    }
}
