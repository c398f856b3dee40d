package io.chorus.benchmarks;

import io.chorus.core.causal.SiblingSet;
import io.chorus.storage.Durability;
import io.chorus.storage.LmdbStorageEngine;
import io.chorus.storage.StorageConfig;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What keeping the hash trees costs a write: the engine's pipelined coordinator writes (a fresh dot each, 100-byte
 * values over a 1M key space, 256 in flight) with the trees on and off ({@code StorageConfig.hashTrees}), in the
 * same run. NOSYNC, so that the writes' CPU shows instead of the disk's flushes, which would hide it; compare CPU
 * per operation ({@code -prof perfnorm}) as much as throughput. The trees add two Murmur3 hashes over the old and
 * new encoded set, one XOR per tree level and a monitor, on the writer thread, per write.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TreeCostBenchmark -prof 'perfnorm:events=task-clock'</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Threads(16)
@Fork(value = 2, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class TreeCostBenchmark {

    @State(Scope.Benchmark)
    public static class Store {
        @Param({"true", "false"})
        public boolean hashTrees;

        Path dir;
        LmdbStorageEngine engine;

        @Setup(Level.Trial)
        public void open() {
            dir = BenchDirs.create("chorus-bench-trees");
            engine = LmdbStorageEngine.open(StorageConfig.builder(dir).durability(Durability.NOSYNC)
                    .initialMapSize(1L << 30).hashTrees(hashTrees).build());
        }

        @TearDown(Level.Trial)
        public void close() {
            engine.close();
            BenchDirs.delete(dir);
        }
    }

    @Benchmark
    public SiblingSet pipelinedPut(Store s, StoragePutBenchmark.Writer w) {
        // The same writers as StoragePutBenchmark's pipelined variant, on an engine without fsyncs.
        int slot = w.slot++ & (StoragePutBenchmark.WINDOW - 1);
        CompletableFuture<SiblingSet> oldest = w.window[slot];
        SiblingSet done = oldest == null ? null : oldest.join();
        w.window[slot] = w.write(s.engine, 1_700_000_000_000L);
        return done;
    }
}
