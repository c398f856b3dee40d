package io.chorus.benchmarks;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.storage.Durability;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Versioned reads against raw lmdbjava on the same data shape: 1M keys of 16 bytes, 100-byte values. The engine
 * decodes a sibling set (context and value) for each read; the baseline opens a read transaction, gets the raw
 * value and copies it out (a value is only usable after its transaction if copied). {@code rawGetNoCopy} is the
 * lookup alone. The engine keeps a read transaction per thread between reads, so the strictest baseline is
 * {@code rawGetHeldTxn}: raw lookups in a read transaction the thread keeps open, value copied. Target:
 * {@code versionedGet} at least 0.6x raw.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar StorageGetBenchmark</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx2g"})
public class StorageGetBenchmark {

    static final int KEYS = 1 << 20;
    static final int KEY_MASK = KEYS - 1;
    static final int PARTITIONS = 256;

    /** Both stores, loaded once per fork with the same keys. */
    @State(Scope.Benchmark)
    public static class Stores {
        StorePair pair;

        @Setup(Level.Trial)
        public void load() {
            pair = new StorePair("get", Durability.NOSYNC);

            ActorId actor = ActorId.of("bench-node", 1);
            byte[] value = new byte[100];
            new Random(7).nextBytes(value);
            List<CompletableFuture<SiblingSet>> window = new ArrayList<>();
            ByteBuffer k = ByteBuffer.allocateDirect(16);
            ByteBuffer v = ByteBuffer.allocateDirect(100);
            try (Txn<ByteBuffer> txn = pair.rawEnv.txnWrite()) {
                for (int i = 0; i < KEYS; i++) {
                    byte[] key = key(i);
                    window.add(pair.engine.update(partition(i), key,
                            s -> s.update(VersionVector.empty(), actor, value, 1_700_000_000_000L)));
                    if (window.size() == 4096) {
                        window.forEach(CompletableFuture::join);
                        window.clear();
                    }
                    k.clear();
                    k.put(key).flip();
                    v.clear();
                    v.put(value).flip();
                    pair.rawDbi.put(txn, k, v);
                }
                txn.commit();
            }
            window.forEach(CompletableFuture::join);
        }

        @TearDown(Level.Trial)
        public void close() {
            pair.close();
        }
    }

    /** Per-thread cursor over a precomputed random permutation of the keys. */
    @State(Scope.Thread)
    public static class Cursor {
        final int[] order = new int[1 << 16];
        final byte[][] keys = new byte[1 << 16][];
        final ByteBuffer direct = ByteBuffer.allocateDirect(16);
        int i;

        @Setup(Level.Trial)
        public void setUp() {
            Random rnd = new Random(Thread.currentThread().getId());
            for (int j = 0; j < order.length; j++) {
                order[j] = rnd.nextInt(KEYS);
                keys[j] = key(order[j]);
            }
        }
    }

    @Benchmark
    public SiblingSet versionedGet(Stores s, Cursor c) {
        int j = c.i++ & 0xFFFF;
        return s.pair.engine.get(partition(c.order[j]), c.keys[j]);
    }

    @Benchmark
    public byte[] rawGet(Stores s, Cursor c) {
        int j = c.i++ & 0xFFFF;
        c.direct.clear();
        c.direct.put(c.keys[j]).flip();
        try (Txn<ByteBuffer> txn = s.pair.rawEnv.txnRead()) {
            ByteBuffer found = s.pair.rawDbi.get(txn, c.direct);
            byte[] out = new byte[found.remaining()];
            found.get(out);
            return out;
        }
    }

    /** A read transaction held by the benchmark thread for the whole trial (the raw store is never written then). */
    @State(Scope.Thread)
    public static class HeldTxn {
        Txn<ByteBuffer> txn;

        @Setup(Level.Trial)
        public void open(Stores s) {
            txn = s.pair.rawEnv.txnRead();
        }

        @TearDown(Level.Trial)
        public void close() {
            txn.close();
        }
    }

    @Benchmark
    public byte[] rawGetHeldTxn(Stores s, Cursor c, HeldTxn held) {
        int j = c.i++ & 0xFFFF;
        c.direct.clear();
        c.direct.put(c.keys[j]).flip();
        ByteBuffer found = s.pair.rawDbi.get(held.txn, c.direct);
        byte[] out = new byte[found.remaining()];
        found.get(out);
        return out;
    }

    @Benchmark
    public int rawGetNoCopy(Stores s, Cursor c) {
        int j = c.i++ & 0xFFFF;
        c.direct.clear();
        c.direct.put(c.keys[j]).flip();
        try (Txn<ByteBuffer> txn = s.pair.rawEnv.txnRead()) {
            return s.pair.rawDbi.get(txn, c.direct).remaining();
        }
    }

    static byte[] key(int i) {
        // 16 bytes: a fixed prefix and the index, so both stores hold identical keys
        return ByteBuffer.allocate(16).putLong(0x6368_6f72_7573_6b65L).putLong(i * 0x9E3779B97F4A7C15L).array();
    }

    static int partition(int i) {
        return i & (PARTITIONS - 1);
    }
}
