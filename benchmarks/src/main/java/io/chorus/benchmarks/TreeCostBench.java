package io.chorus.benchmarks;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.storage.Durability;
import io.chorus.storage.LmdbStorageEngine;
import io.chorus.storage.StorageConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * What the hash trees cost a write, as CPU time of the storage writer thread (where all of it runs: two entry
 * hashes, one XOR a tree level, a monitor) and of the whole process, per write, with the trees on and off in
 * alternating rounds of the same run: steadier on a shared machine than throughput, which swung by half between
 * JMH forks here. NOSYNC, 200 000 coordinator writes a round (fresh dots, 100-byte values, 1M keys over 256
 * partitions, 256 in flight).
 *
 * <pre>java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *   -cp benchmarks/target/benchmarks.jar io.chorus.benchmarks.TreeCostBench [rounds=6]</pre>
 */
public final class TreeCostBench {

    private static final int WRITES = 200_000;
    private static final int IN_FLIGHT = 256;

    private TreeCostBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[][] sums = new double[2][2];
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < 2; m++) {
                boolean trees = (r + m) % 2 == 0;
                Path dir = BenchDirs.create("chorus-bench-treecost");
                try (LmdbStorageEngine engine = LmdbStorageEngine.open(StorageConfig.builder(dir)
                        .durability(Durability.NOSYNC).initialMapSize(1L << 30).hashTrees(trees).build())) {
                    run(engine, 20_000); // warm the engine and the JIT
                    long writer = writerThreadId();
                    long w0 = threads.getThreadCpuTime(writer);
                    long p0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    run(engine, WRITES);
                    double writerUs = (threads.getThreadCpuTime(writer) - w0) / 1e3 / WRITES;
                    double processUs = (os.getProcessCpuTime() - p0) / 1e3 / WRITES;
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("round %d trees %-5s writer %.2f us/write, process %.2f us/write, %.0f writes/s%n",
                            r, trees, writerUs, processUs, WRITES / seconds);
                    sums[trees ? 0 : 1][0] += writerUs;
                    sums[trees ? 0 : 1][1] += processUs;
                } finally {
                    BenchDirs.delete(dir);
                }
            }
        }
        System.out.printf("mean writer CPU a write: trees on %.2f us, off %.2f us (+%.2f us); process: on %.2f, off %.2f%n",
                sums[0][0] / rounds, sums[1][0] / rounds, (sums[0][0] - sums[1][0]) / rounds, sums[0][1] / rounds,
                sums[1][1] / rounds);
    }

    private static void run(LmdbStorageEngine engine, int writes) {
        Random rnd = new Random(7);
        byte[] value = new byte[100];
        rnd.nextBytes(value);
        ActorId actor = ActorId.of("bench-node", 1);
        ArrayDeque<CompletableFuture<SiblingSet>> window = new ArrayDeque<>();
        for (int i = 0; i < writes; i++) {
            int n = rnd.nextInt(StorageGetBenchmark.KEYS);
            window.add(engine.update(StorageGetBenchmark.partition(n), StorageGetBenchmark.key(n),
                    s -> s.update(s.context(), actor, value, 1_700_000_000_000L)));
            if (window.size() == IN_FLIGHT) {
                window.poll().join();
            }
        }
        window.forEach(CompletableFuture::join);
    }

    private static long writerThreadId() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("chorus-storage-writer[chorus-bench-treecost"))
                .mapToLong(Thread::getId).findFirst().orElseThrow();
    }
}
