package io.chorus.benchmarks;

import io.chorus.benchmarks.transport.EchoServer;
import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.client.ClientConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.coordinator.ReadFanout;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.transport.Message;
import io.chorus.server.EmbeddedCluster;
import io.chorus.transport.tls.TlsConfig;
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
 * <p>{@code skeleton} runs a {@link QuorumSkeleton} in the same run: the least work that a quorum read or write
 * on these parts must do, with no coordinator, so that the real get and put can be judged against a floor as well as
 * against the echo (its {@code mode} parameter picks the work; see the class). Echo and skeleton forks are started
 * for both durabilities, although only the skeleton's stores use it, which gives more forks to compare against.
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
    /** The Java client's default. */
    private static final int CONNECTIONS_PER_NODE = ClientConfig.DEFAULT_CONNECTIONS_PER_NODE;
    private static final int KEYS = 1 << 13;
    private static final int MASK = KEYS - 1;

    /** The echo does not store anything: it runs once per value only to give two forks to compare against. */
    @Param({"NOSYNC", "SYNC"})
    public Durability durability;

    /**
     * The window of requests in flight. A request is issued as soon as any of the 64 in flight completes, so
     * exactly 64 are outstanding whatever the spread of their latencies (waiting for the oldest instead would leave
     * places empty behind a slow one). The operation counted is the issue; in a steady state issues and
     * completions run at the same rate. A failed request fails the benchmark.
     */
    abstract static class Workload {
        final byte[][] keys = new byte[KEYS][];
        final byte[] value = new byte[100];
        /** One permit per request that may be in flight; a completion returns its permit. */
        private final Semaphore window = new Semaphore(WINDOW);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private int next;

        Workload() {
            new Random(3).nextBytes(value);
            for (int k = 0; k < KEYS; k++) {
                keys[k] = ("bench:" + k).getBytes(StandardCharsets.UTF_8);
            }
        }

        /** Waits for a free place in the window; returns the index of the key to use. */
        final int enter() throws InterruptedException {
            window.acquire();
            Throwable failed = failure.get();
            if (failed != null) {
                throw new IllegalStateException("a request failed", failed);
            }
            return next++ & MASK;
        }

        final void leave(Throwable error) {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
            window.release();
        }

        /** Waits until nothing is in flight, before the trial's teardown closes what requests use. */
        final void drain() throws InterruptedException {
            window.acquire(WINDOW);
            window.release(WINDOW);
        }
    }

    /** The 3-node embedded cluster and its Java client, every key written once. */
    @State(Scope.Benchmark)
    public static class Cluster extends Workload {
        @Param({"NOSYNC", "SYNC"})
        public Durability durability;
        /** TLS on client and node connections: OFF, OPENSSL or JDK (-p tls=OFF,OPENSSL,JDK compares them). */
        @Param({"OFF"})
        public String tls;
        /** GETs and replica reads on the event loop that received them, or hopping to the dispatch pool. */
        @Param({"true"})
        public String readsOnLoop;
        /** Reads ask R replicas (QUORUM) or all N (ALL, the path before). */
        @Param({"QUORUM"})
        public String readFanout;
        final VersionVector[] contexts = new VersionVector[KEYS];
        EmbeddedCluster cluster;
        ChorusClient client;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            EmbeddedCluster.Builder builder = EmbeddedCluster.builder().nodes(3).durability(durability)
                    .readsOnEventLoop(Boolean.parseBoolean(readsOnLoop))
                    .coordinator(CoordinatorConfig.defaults().withReadFanout(ReadFanout.valueOf(readFanout)));
            TlsConfig clientTls = null;
            if (!tls.equals("OFF")) {
                TlsConfig.Provider provider = TlsConfig.Provider.valueOf(tls);
                BenchCertificates certs = BenchCertificates.create(BenchDirs.create("chorus-bench-tls"));
                builder.tls(id -> certs.node(id.name()).withProvider(provider));
                clientTls = TlsConfig.trusting(certs.ca()).withProvider(provider);
            }
            cluster = builder.start();
            client = ChorusClient.connect(ClientConfig.builder(cluster.addresses()).ioThreads(1)
                    .callbackExecutor(Runnable::run).tls(clientTls).build());
            List<CompletableFuture<ChorusObject>> loading = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                loading.add(client.putAsync(keys[k], value, null));
                if (loading.size() == WINDOW) {
                    for (int j = 0; j < WINDOW; j++) {
                        contexts[k - WINDOW + 1 + j] = loading.get(j).join().context();
                    }
                    loading.clear();
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            drain();
            // Batch sizes, and proof that the run had no hints or quorum failures skewing it.
            cluster.nodes().forEach(n -> System.out.println(n.id() + ": " + n.storage().stats() + ", "
                    + n.coordinator().stats()));
            client.close();
            cluster.close();
        }
    }

    /** The plain Netty echo server and one client connection, on one event loop of their own. */
    @State(Scope.Benchmark)
    public static class Echo extends Workload {
        final Message[] requests = new Message[KEYS];
        EventLoops loops;
        EchoServer server;
        ClientConnection connection;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            for (int k = 0; k < KEYS; k++) {
                requests[k] = Message.of(Opcodes.GET, new GetRequest(keys[k], 3, 2, 1000).encode());
            }
            loops = EventLoops.create(1, "bench-echo");
            server = new EchoServer(loops);
            connection = ClientConnection.connect(loops, new InetSocketAddress("127.0.0.1", server.port()),
                    HelloRequest.of(Role.CLIENT, "bench"), ClientOptions.callbacksOn(Runnable::run))
                    .get(5, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            drain();
            connection.close();
            server.close();
            loops.close();
        }
    }

    /** {@link QuorumSkeleton}: the least work a quorum request can do, one client connection per server. */
    @State(Scope.Benchmark)
    public static class Skeleton extends Workload {
        @Param({"NOSYNC", "SYNC"})
        public Durability durability;
        /** The floors of get and put; {@code -p mode=WIRE,HANDOFFS} shows what the frames and hand-offs cost. */
        @Param({"READS", "WRITES"})
        public QuorumSkeleton.Mode mode;
        final Message[] requests = new Message[KEYS];
        final List<ClientConnection> connections = new ArrayList<>();
        QuorumSkeleton servers;
        EventLoops loops;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            for (int k = 0; k < KEYS; k++) {
                byte[] body = keys[k];
                if (mode == QuorumSkeleton.Mode.WRITES) {
                    body = new byte[1 + keys[k].length + value.length];
                    body[0] = (byte) keys[k].length;
                    System.arraycopy(keys[k], 0, body, 1, keys[k].length);
                    System.arraycopy(value, 0, body, 1 + keys[k].length, value.length);
                }
                requests[k] = Message.of(Opcodes.GET, body);
            }
            servers = new QuorumSkeleton(mode, durability);
            servers.load(List.of(keys), value);
            // Like the Java client as the cluster benchmark sets it up: one I/O thread, callbacks where replies
            // complete, and its default number of connections to each node, used in turn.
            loops = EventLoops.create(1, "bench-skeleton-client");
            for (int c = 0; c < CONNECTIONS_PER_NODE; c++) {
                for (InetSocketAddress address : servers.addresses()) {
                    connections.add(ClientConnection.connect(loops, address, HelloRequest.of(Role.CLIENT, "bench"),
                            ClientOptions.callbacksOn(Runnable::run)).get(5, TimeUnit.SECONDS));
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            drain();
            connections.forEach(ClientConnection::close);
            loops.close();
            servers.close();
        }
    }

    @Benchmark
    public void get(Cluster c) throws InterruptedException {
        int key = c.enter();
        c.client.getAsync(c.keys[key]).whenComplete((object, error) -> c.leave(error));
    }

    @Benchmark
    public void put(Cluster c) throws InterruptedException {
        int key = c.enter();
        c.client.putAsync(c.keys[key], c.value, c.contexts[key]).whenComplete((object, error) -> {
            if (object != null) {
                // Read by the put of this key 8192 requests later; the semaphore orders the two.
                c.contexts[key] = object.context();
            }
            c.leave(error);
        });
    }

    @Benchmark
    public void echo(Echo e) throws InterruptedException {
        int key = e.enter();
        e.connection.request(e.requests[key], 10_000).whenComplete((reply, error) -> e.leave(error));
    }

    /** The least a quorum request can do ({@link QuorumSkeleton}): what the real get and put are measured against. */
    @Benchmark
    public void skeleton(Skeleton k) throws InterruptedException {
        int key = k.enter();
        // Key k goes to server k % 3, over that server's connections in turn.
        k.connections.get(key % (3 * CONNECTIONS_PER_NODE)).request(k.requests[key], 10_000)
                .whenComplete((reply, error) -> k.leave(error));
    }
}
