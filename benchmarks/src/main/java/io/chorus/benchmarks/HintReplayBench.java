package io.chorus.benchmarks;

import io.chorus.client.ChorusClient;
import io.chorus.client.RequestOptions;
import io.chorus.coordinator.BudgetConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.core.NodeId;
import io.chorus.server.ChorusNode;
import io.chorus.server.EmbeddedCluster;
import io.chorus.storage.Durability;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast a returning node is caught up by hint replay, on real LMDB and real Netty: a 4-node
 * {@link EmbeddedCluster}, one node stopped, {@code keys} blind writes at N = 3, W = 2 (so the fallbacks store a
 * hint for each write the stopped node owns: about three quarters of them), then the node restarted and the hint
 * stores polled (every 2 ms) until they are empty. Prints the hints, the time from the restart to the first
 * delivery (the fallbacks' replay agents notice the node at their next round), the rate from the first delivery
 * to the last, what was still pending 5 s after the restart, and checks that the returned node holds every key it
 * is a replica of.
 *
 * <p>A one-shot measurement rather than JMH: the quantity is one catch-up, seconds long, not an operation. Polling
 * with a short sleep is fine here (the no-sleep rule is for tests).
 *
 * <pre>
 * mvn -B -o -q package -pl benchmarks -am -DskipTests
 * java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *      -cp benchmarks/target/benchmarks.jar io.chorus.benchmarks.HintReplayBench \
 *      [NOSYNC|SYNC] [keys] [maxSeconds] [keysPerSecond|unlimited] [batchSize]
 * </pre>
 */
public final class HintReplayBench {

    private static final int NODES = 4;
    private static final int STOPPED = NODES - 1;
    private static final int VALUE_BYTES = 100;
    private static final int WRITES_IN_FLIGHT = 256;

    private HintReplayBench() {
    }

    public static void main(String[] args) throws Exception {
        Durability durability = args.length > 0 ? Durability.valueOf(args[0]) : Durability.NOSYNC;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        long maxSeconds = args.length > 2 ? Long.parseLong(args[2]) : 300;
        BudgetConfig budget = BudgetConfig.defaults();
        if (args.length > 3 && args[3].equals("unlimited")) {
            budget = budget.withRates(BudgetConfig.UNLIMITED, BudgetConfig.UNLIMITED);
        } else if (args.length > 3) {
            budget = budget.withRates(Long.parseLong(args[3]), budget.bytesPerSecond());
        }
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : CoordinatorConfig.defaults().hintReplayBatchSize();
        CoordinatorConfig config = CoordinatorConfig.defaults().withBudget(budget)
                .withHintReplay(CoordinatorConfig.defaults().hintReplayIntervalMillis(), batch);
        System.out.printf(Locale.ROOT, "budget %s, batches of %d%n", budget, batch);
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(NODES).durability(durability)
                .coordinator(config).start()) {
            cluster.stopGracefully(STOPPED);
            long writeStart = System.nanoTime();
            long failed = write(cluster, keys);
            double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
            long hints = settledHints(cluster);
            System.out.printf(Locale.ROOT, "%s: %d writes in %.1f s (%d failed), %d hints on the fallbacks%n",
                    durability, keys, writeSeconds, failed, hints);

            long restart = System.nanoTime();
            cluster.restart(STOPPED);
            long serving = System.nanoTime();
            long firstDelivery = -1;
            long pendingAt5s = -1;
            long pending = hints;
            long deadline = serving + TimeUnit.SECONDS.toNanos(maxSeconds);
            while (pending > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(2);
                pending = pendingHints(cluster);
                long now = System.nanoTime();
                if (firstDelivery < 0 && pending < hints) {
                    firstDelivery = now;
                }
                if (pendingAt5s < 0 && now - serving >= TimeUnit.SECONDS.toNanos(5)) {
                    pendingAt5s = pending;
                }
            }
            long end = System.nanoTime();
            long delivered = hints - pending;
            double deliverySeconds = firstDelivery < 0 ? 0 : (end - firstDelivery) / 1e9;
            System.out.printf(Locale.ROOT, "restart took %.0f ms; first delivery %.0f ms after it was serving%n",
                    (serving - restart) / 1e6, firstDelivery < 0 ? Double.NaN : (firstDelivery - serving) / 1e6);
            System.out.printf(Locale.ROOT, "%d of %d hints delivered in %.2f s from the first delivery: %.0f hints/s"
                            + " (%.2f s from serving); pending 5 s after serving: %s%n",
                    delivered, hints, deliverySeconds, delivered / Math.max(deliverySeconds, 1e-9),
                    (end - serving) / 1e9, pendingAt5s < 0 ? "0 (done before)" : Long.toString(pendingAt5s));
            for (int i = 0; i < NODES; i++) {
                if (i != STOPPED) {
                    System.out.println(cluster.node(i).id() + ": " + cluster.node(i).coordinator().budget().stats());
                }
            }
            if (pending == 0) {
                checkReturnedNode(cluster, keys);
            }
        }
    }

    private static long write(EmbeddedCluster cluster, int keys) throws InterruptedException {
        RequestOptions options = RequestOptions.defaults().withN(3).withW(2);
        byte[] value = new byte[VALUE_BYTES];
        Semaphore window = new Semaphore(WRITES_IN_FLIGHT);
        AtomicLong failed = new AtomicLong();
        try (ChorusClient client = cluster.client()) {
            for (int i = 0; i < keys; i++) {
                window.acquire();
                client.putAsync(key(i), value, null, options).whenComplete((v, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                    window.release();
                });
            }
            window.acquire(WRITES_IN_FLIGHT);
        }
        return failed.get();
    }

    /** Hints are stored as a write's third ack, after W = 2 answered: wait until the count stops moving. */
    private static long settledHints(EmbeddedCluster cluster) throws InterruptedException {
        long last = -1;
        long now = pendingHints(cluster);
        while (now != last) {
            Thread.sleep(500);
            last = now;
            now = pendingHints(cluster);
        }
        return now;
    }

    private static long pendingHints(EmbeddedCluster cluster) {
        long sum = 0;
        for (int i = 0; i < NODES; i++) {
            if (i != STOPPED) {
                sum += cluster.node(i).storage().area("hints").count();
            }
        }
        return sum;
    }

    private static void checkReturnedNode(EmbeddedCluster cluster, int keys) {
        ChorusNode node = cluster.node(STOPPED);
        NodeId id = node.id();
        List<Integer> missing = new ArrayList<>();
        int owned = 0;
        for (int i = 0; i < keys; i++) {
            byte[] k = key(i);
            if (node.ring().preferenceList(k, 3).contains(id)) {
                owned++;
                if (node.storage().get(node.ring().partitionOf(k), k).isEmpty()) {
                    missing.add(i);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s holds %d of the %d keys it is a replica of%n", id, owned - missing.size(),
                owned);
    }

    private static byte[] key(int i) {
        return ("hint-bench-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
