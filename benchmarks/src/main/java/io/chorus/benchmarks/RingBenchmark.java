package io.chorus.benchmarks;

import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Key → preference list, the routing step of every request (target: at most 200 ns). Keys are 16 random bytes,
 * precomputed and indexed with a power-of-two mask; the ring has the default Q = 256 (and a large 4096) over
 * 8 nodes in 3 zones, N = 3.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RingBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBenchmark {

    private static final int MASK = 4095;

    @Param({"256", "4096"})
    public int partitions;

    private final byte[][] keys = new byte[MASK + 1][];
    private Ring ring;
    private int i;

    @Setup
    public void setUp() {
        Random rnd = new Random(1);
        for (int k = 0; k <= MASK; k++) {
            keys[k] = new byte[16];
            rnd.nextBytes(keys[k]);
        }
        List<Member> members = new ArrayList<>();
        for (int n = 0; n < 8; n++) {
            members.add(new Member(NodeId.of("node-" + n), "zone-" + (n % 3)));
        }
        ring = Claim.create(members, partitions);
    }

    @Benchmark
    public List<NodeId> preferenceList() {
        return ring.preferenceList(keys[i++ & MASK], 3);
    }

    @Benchmark
    public int partitionOnly() {
        return ring.partitionOf(keys[i++ & MASK]);
    }
}
