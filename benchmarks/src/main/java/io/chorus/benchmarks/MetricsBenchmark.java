package io.chorus.benchmarks;

import io.chorus.core.NodeId;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.server.metrics.MetricsConfig;
import io.chorus.server.metrics.NodeMetrics;
import io.chorus.transport.protocol.Opcodes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the node's request metrics add to every request: a handler that answers at once, called directly and
 * through the timing wrapper every client and replica request passes (two clock reads, a lock-free timer update,
 * the error check), on two threads at once as a node's event loops do. The difference is the metrics' cost per
 * request, to set against the tens of microseconds of CPU a quorum request takes.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar MetricsBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class MetricsBenchmark {

    private static final NodeId FROM = NodeId.of("client");

    private Message request;
    private RequestHandler direct;
    private RequestHandler timed;

    @Setup
    public void setUp() {
        request = Message.adopt(Opcodes.PUT, new byte[16]);
        CompletableFuture<Message> answer = CompletableFuture.completedFuture(Message.adopt(Opcodes.PUT, new byte[8]));
        direct = (from, m) -> answer;
        timed = new NodeMetrics(NodeId.of("bench"), MetricsConfig.defaults().withJmx(false)).timeClients(direct);
    }

    @Benchmark
    public CompletableFuture<Message> direct() {
        return direct.handle(FROM, request);
    }

    @Benchmark
    public CompletableFuture<Message> timed() {
        return timed.handle(FROM, request);
    }
}
