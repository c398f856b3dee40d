package io.chorus.benchmarks;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.storage.Durability;
import io.chorus.storage.LmdbStorageEngine;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.lmdbjava.Txn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable (fsynced) writes from 16 threads: the engine's group commit against raw lmdbjava committing and fsyncing
 * one transaction per put. Keys are 16 bytes over a 1M key space, values 100 bytes; every engine write is a
 * coordinator write (a fresh dot), so none is a no-op.
 *
 * <p>Group commit can only batch the writes that are waiting together, so its gain is bounded by the writes in
 * flight: {@code groupCommitPut} has 16 (each thread waits for its own write, as a thread-per-request server
 * would); {@code groupCommitPutPipelined} has 16 per thread, 256 in all, as a node serving many clients has.
 * Target: group-committed durable puts at least 20x the raw per-put fsync. With 16 blocking writers a commit carries
 * at most 16 writes and costs at least what a one-put commit costs (an fdatasync and the synchronous meta page
 * write, plus a page per write), so 16x is that variant's ceiling before any page is written: the 20x target needs
 * more than one write in flight per thread, which the pipelined variant measures.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar StoragePutBenchmark</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class StoragePutBenchmark {

    static final int WINDOW = 16;

    /** Fresh, empty stores in SYNC mode, one per trial. */
    @State(Scope.Benchmark)
    public static class Stores {
        StorePair pair;

        @Setup(Level.Trial)
        public void open() {
            pair = new StorePair("put", Durability.SYNC);
        }

        @TearDown(Level.Trial)
        public void close() {
            pair.close();
        }
    }

    /** Per-thread inputs: random keys of the 1M key space, a value, this thread's direct buffers. */
    @State(Scope.Thread)
    public static class Writer {
        final byte[][] keys = new byte[1 << 12][];
        final int[] partitions = new int[1 << 12];
        final byte[] value = new byte[100];
        final ByteBuffer k = ByteBuffer.allocateDirect(16);
        final ByteBuffer v = ByteBuffer.allocateDirect(100);
        final ActorId actor = ActorId.of("bench-node", 1);
        @SuppressWarnings("unchecked")
        final CompletableFuture<SiblingSet>[] window = new CompletableFuture[WINDOW];
        int i;
        int slot;

        @Setup(Level.Trial)
        public void setUp() {
            Random rnd = new Random(Thread.currentThread().getId());
            rnd.nextBytes(value);
            for (int j = 0; j < keys.length; j++) {
                int n = rnd.nextInt(StorageGetBenchmark.KEYS);
                keys[j] = StorageGetBenchmark.key(n);
                partitions[j] = StorageGetBenchmark.partition(n);
            }
        }

        /** Waits for the writes still in flight, before the stores close. */
        @TearDown(Level.Trial)
        public void drain() {
            for (CompletableFuture<SiblingSet> f : window) {
                if (f != null) {
                    f.join();
                }
            }
        }

        CompletableFuture<SiblingSet> write(LmdbStorageEngine engine, long timestamp) {
            int j = i++ & (keys.length - 1);
            return engine.update(partitions[j], keys[j], s -> s.update(s.context(), actor, value, timestamp));
        }
    }

    @Benchmark
    public SiblingSet groupCommitPut(Stores s, Writer w) {
        return w.write(s.pair.engine, 1_700_000_000_000L).join();
    }

    /**
     * Each thread keeps {@link #WINDOW} writes outstanding: it waits for its oldest write (the operation counted)
     * and issues the next in its place, so the window slides rather than draining to empty before refilling.
     */
    @Benchmark
    public SiblingSet groupCommitPutPipelined(Stores s, Writer w) {
        int slot = w.slot++ & (WINDOW - 1);
        CompletableFuture<SiblingSet> oldest = w.window[slot];
        SiblingSet done = oldest == null ? null : oldest.join();
        w.window[slot] = w.write(s.pair.engine, 1_700_000_000_000L);
        return done;
    }

    @Benchmark
    public int rawPutFsyncPerPut(Stores s, Writer w) {
        int j = w.i++ & (w.keys.length - 1);
        w.k.clear();
        w.k.put(w.keys[j]).flip();
        w.v.clear();
        w.v.put(w.value).flip();
        try (Txn<ByteBuffer> txn = s.pair.rawEnv.txnWrite()) {
            s.pair.rawDbi.put(txn, w.k, w.v);
            txn.commit();
        }
        return j;
    }
}
