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
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * One pipelining client connection (64 GETs in flight, a sliding window) against a {@link ChorusServer} whose dispatch pool
 * has 4 threads, a standalone node's default: the reads of that connection become batches that overlap on the
 * dispatch threads. {@code replyHold} chooses what a running batch holds back: {@code thread}, the replies of that
 * batch only (the default), or {@code connection}, every reply of the connection while any of its batches runs
 * (the rule before; {@code -Dchorus.transport.replyHold=connection}). Throughput, and the time of 4096 requests (its
 * percentiles show how long replies waited), in the same run.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ReplyBatchingBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(ReplyBatchingBenchmark.PER_OP)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ReplyBatchingBenchmark {

    static final int WINDOW = 64;
    static final int PER_OP = 4096;
    private static final int MASK = 1023;

    @Param({"thread", "connection"})
    public String replyHold;

    @Param({"4"})
    public int dispatchThreads;

    private final Message[] requests = new Message[MASK + 1];
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile CompletableFuture<Void> finished;
    private EventLoops serverLoops;
    private EventLoops clientLoops;
    private ExecutorService dispatch;
    private ChorusServer chorus;
    private ClientConnection client;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        for (int k = 0; k <= MASK; k++) {
            byte[] key = ("user:" + k).getBytes(StandardCharsets.UTF_8);
            requests[k] = Message.of(Opcodes.GET, new GetRequest(key, 3, 2, 1000).encode());
        }
        serverLoops = EventLoops.create(1, "bench-server");
        clientLoops = EventLoops.create(1, "bench-client");
        System.setProperty("chorus.transport.replyHold", replyHold);
        dispatch = Executors.newFixedThreadPool(dispatchThreads);
        chorus = new ChorusServer(ServerConfig.defaults(NodeId.of("bench"), () -> 1), dispatch, serverLoops);
        byte[] value = new byte[100];
        SiblingSet stored = SiblingSet.empty().update(VersionVector.empty(), ActorId.of("bench", 1), value,
                1_700_000_000_000L);
        byte[] reply = new GetResponse(1, stored).encode();
        chorus.serveClients((from, req) -> {
            GetRequest.decode(req.bodyUnsafe());
            return CompletableFuture.completedFuture(Message.of(Opcodes.GET, reply));
        });
        int port = chorus.start();
        client = ClientConnection.connect(clientLoops, new InetSocketAddress("127.0.0.1", port),
                HelloRequest.of(Role.CLIENT, "bench"), ClientOptions.callbacksOn(Runnable::run))
                .get(5, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        chorus.stop();
        dispatch.shutdown();
        clientLoops.close();
        serverLoops.close();
    }

    /**
     * {@value #PER_OP} GETs through a sliding window of {@value #WINDOW}: each reply sends the next request, so the
     * server reads small groups of requests all the time and its batches overlap (a window sent at once and then
     * awaited would arrive as one read, one batch).
     */
    @Benchmark
    public void slidingWindow() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        finished = done;
        sent.set(0);
        remaining.set(PER_OP);
        for (int k = 0; k < WINDOW; k++) {
            sendNext();
        }
        // join() throws if any request failed, so a broken run cannot pass for a fast one.
        done.join();
    }

    private void sendNext() {
        int n = sent.getAndIncrement();
        if (n >= PER_OP) {
            return;
        }
        client.request(requests[n & MASK], 10_000).whenComplete((reply, failure) -> {
            if (failure != null) {
                finished.completeExceptionally(failure);
            } else if (remaining.decrementAndGet() == 0) {
                finished.complete(null);
            } else {
                sendNext();
            }
        });
    }
}
