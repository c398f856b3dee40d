package io.chorus.benchmarks;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The causal hot path of every request: a coordinator's update, a replica's merge, and the codec that puts a
 * sibling set on disk and on the wire. Inputs are typical objects (three replicas' actors, one or two siblings,
 * 100-byte values), precomputed and indexed with a power-of-two mask.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar CausalityBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class CausalityBenchmark {

    private static final int MASK = 1023;

    private final SiblingSet[] left = new SiblingSet[MASK + 1];
    private final SiblingSet[] right = new SiblingSet[MASK + 1];
    private final byte[][] encoded = new byte[MASK + 1][];
    private final ActorId coordinator = ActorId.of("node-1", 42);
    private final byte[] value = new byte[100];
    private int i;

    @Setup
    public void setUp() {
        Random rnd = new Random(1);
        rnd.nextBytes(value);
        ActorId[] actors = {coordinator, ActorId.of("node-2", 7), ActorId.of("node-3", 9)};
        for (int k = 0; k <= MASK; k++) {
            SiblingSet base = SiblingSet.empty()
                    .update(VersionVector.empty(), actors[rnd.nextInt(3)], value, 1_700_000_000_000L);
            // Half the pairs are concurrent (two siblings after merge), half are a read-then-write.
            VersionVector ctx = rnd.nextBoolean() ? base.context() : VersionVector.empty();
            left[k] = base.update(ctx, actors[rnd.nextInt(3)], value, 1_700_000_000_001L);
            right[k] = base.update(base.context(), actors[rnd.nextInt(3)], value, 1_700_000_000_002L);
            encoded[k] = CausalCodec.encode(left[k].merge(right[k]));
        }
    }

    @Benchmark
    public SiblingSet update() {
        SiblingSet s = left[i++ & MASK];
        return s.update(s.context(), coordinator, value, 1_700_000_000_003L);
    }

    @Benchmark
    public SiblingSet merge() {
        int k = i++ & MASK;
        return left[k].merge(right[k]);
    }

    @Benchmark
    public byte[] encode() {
        int k = i++ & MASK;
        return CausalCodec.encode(left[k]);
    }

    @Benchmark
    public SiblingSet decode() {
        return CausalCodec.decode(encoded[i++ & MASK]);
    }
}
