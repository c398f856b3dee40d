package io.chorus.benchmarks;

import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.BudgetConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.coordinator.RepairSummary;
import io.chorus.coordinator.SyncReport;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.ring.Ring;
import io.chorus.server.ChorusNode;
import io.chorus.server.EmbeddedCluster;
import io.chorus.storage.Durability;
import io.chorus.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Partition sync between two real nodes (LMDB, Netty on loopback): time and bytes on the wire to converge 100
 * differences, 1% and 10% of the keys, and of an exchange between replicas in sync. Both nodes are loaded
 * straight into their stores with the same states (100-byte values), their trees sized by rebuilds as the agent
 * would, then divergence is made the same way (half the differences a newer write on the peer, half a key only
 * the initiator holds) and the initiator runs REPAIR of every partition. The budget is unlimited so that the
 * sync's own speed shows (the default budget would pace 10% of 1M keys at 20 000 keys/s).
 *
 * <pre>java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *   -cp benchmarks/target/benchmarks.jar io.chorus.benchmarks.SyncBench [keys=1000000] [partitions=1]</pre>
 */
public final class SyncBench {

    private SyncBench() {
    }

    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        CoordinatorConfig coordinator = CoordinatorConfig.defaults().withQuorum(2, 1, 1)
                .withBudget(BudgetConfig.defaults().withRates(BudgetConfig.UNLIMITED, BudgetConfig.UNLIMITED));
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(2).partitions(partitions)
                .durability(Durability.NOSYNC).coordinator(coordinator).antiEntropy(AntiEntropyConfig.disabled())
                .start()) {
            ChorusNode a = cluster.node(0);
            ChorusNode b = cluster.node(1);
            Ring ring = a.ring();
            long t0 = System.nanoTime();
            load(a.storage(), ring, keys);
            load(b.storage(), ring, keys);
            resize(a.storage(), ring);
            resize(b.storage(), ring);
            System.out.printf("loaded %d keys into %d partition(s) on two nodes in %.1f s (tree leaves: 2^%d)%n", keys,
                    partitions, (System.nanoTime() - t0) / 1e9, a.storage().trees().tree(0).bits());
            report("in sync", repair(a));
            int next = keys;
            Random rnd = new Random(42);
            for (int differences : new int[] {100, keys / 100, keys / 10}) {
                List<CompletableFuture<?>> writes = new ArrayList<>();
                for (int d = 0; d < differences; d++) {
                    byte[] v = value(d);
                    if (d % 2 == 0) {
                        byte[] k = key((int) ((long) d * keys / differences + rnd.nextInt(2)) % keys);
                        writes.add(b.storage().update(ring.partitionOf(k), k, s -> s.update(s.context(),
                                ActorId.of("b", 2), v, 2)));
                    } else {
                        byte[] k = key(next++);
                        writes.add(a.storage().put(ring.partitionOf(k), k, state(k, d)));
                    }
                }
                CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).join();
                report(differences + " differences", repair(a));
                report("then in sync", repair(a));
            }
        }
    }

    private static RepairSummary repair(ChorusNode node) {
        return node.antiEntropy().repair(OptionalInt.empty()).join();
    }

    private static void report(String what, RepairSummary s) {
        long repaired = s.keysFetched() + s.keysPushed();
        System.out.printf("%-22s %8.3f s  %10d bytes (%d sent, %d received)  %d keys repaired, %d segments "
                        + "differing, %d exchanges, outcomes %s%n", what, s.tookNanos() / 1e9,
                s.bytesSent() + s.bytesReceived(), s.bytesSent(), s.bytesReceived(), repaired, s.segmentsDiffering(),
                s.syncs().size(), outcomes(s));
    }

    private static String outcomes(RepairSummary s) {
        List<String> out = new ArrayList<>();
        for (SyncReport.Outcome o : SyncReport.Outcome.values()) {
            if (s.count(o) > 0) {
                out.add(o + " " + s.count(o));
            }
        }
        return String.join(", ", out);
    }

    private static void load(StorageEngine e, Ring ring, int keys) {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            byte[] k = key(i);
            pending.add(e.put(ring.partitionOf(k), k, state(k, i)));
            if (pending.size() == 8192) {
                CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
                pending.clear();
            }
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
    }

    /** What the agent does as partitions grow: rebuild their trees finer. */
    private static void resize(StorageEngine e, Ring ring) {
        for (int p = 0; p < ring.partitionCount(); p++) {
            while (e.trees().tree(p).needsRebuild()) {
                e.rebuildTree(p, 100_000).join();
            }
        }
    }

    private static byte[] key(int i) {
        return ("user" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[100];
        new Random(i).nextBytes(v);
        return v;
    }

    private static SiblingSet state(byte[] k, int i) {
        return SiblingSet.empty().update(VersionVector.empty(), ActorId.of("a", 1), value(i), 1_700_000_000_000L);
    }
}
