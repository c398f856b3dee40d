package io.chorus.coordinator;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.transport.Transport;
import io.chorus.ring.Ring;
import io.chorus.storage.HashTree;
import io.chorus.storage.StorageEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects tombstones by causal stability (docs/consistency.md, "Collecting tombstones"). A round for a partition
 * runs on its first primary, after this node's syncs of the partition converged with every other primary, and
 * asks every other member of the ring (AE_STABLE) for its pending hints for keys of the partition and, for the listed tombstones, the entry
 * hash it holds. A tombstone is <em>stable</em> in a round when, in the current ring version, every primary is
 * alive and holds exactly this node's tombstone-only state (equal entry hashes: the same clock, so a clock that
 * dominates the delete, and no newer write), and no member holds a hint for a key of the partition. It is collected when it was
 * stable in two rounds at least the grace apart with the same hash, by a compare-and-delete on every primary
 * (AE_PURGE, then here) that keeps it if anything changed since. Anything else (a primary down or unreachable, a
 * member that does not answer, a hint of the partition anywhere, a ring change, a hash that moved) forgets the observation, so the
 * two checks bracket a stretch in which all of that held at both ends.
 *
 * <p>Why nothing deleted returns: a value can come back only from a copy whose clock the tombstone's clock does
 * not cover once the tombstone is gone; the copies that exist are on the primaries (checked: all hold the
 * tombstone), in hints (checked: none of the partition anywhere), and in messages in flight, which the grace outlasts (every
 * request ends within its timeout, at most {@link QuorumOptions#MAX_TIMEOUT_MILLIS}). Fallbacks keep data only as
 * hints. A node that is down cannot answer, so nothing is collected while one is.
 *
 * <p>Confined to the agent's callbacks for one partition at a time; the observation map is guarded by itself.
 */
final class TombstoneCollector {

    private static final Logger LOG = LoggerFactory.getLogger(TombstoneCollector.class);

    private final NodeId self;
    private final StorageEngine storage;
    private final Transport transport;
    private final Liveness liveness;
    private final Clock clock;
    private final Executor background;
    private final IntToLongFunction pendingHints;
    private final AntiEntropyConfig config;
    private final AntiEntropyCounters counters;
    private volatile java.util.function.Supplier<java.util.Collection<NodeId>> alsoAsk = java.util.List::of;
    /** Per partition: tombstone key -> (entry hash, ring version, when first seen stable). */
    private final Map<Integer, Map<ByteBuffer, Observation>> observed = new HashMap<>();

    /** When first seen stable, on the monotonic clock: a wall clock stepped forward must not shorten the grace. */
    private record Observation(long hash, long ringVersion, long sinceNanos) {
    }

    TombstoneCollector(NodeId self, StorageEngine storage, Transport transport, Liveness liveness, Clock clock,
            Executor background, IntToLongFunction pendingHints, AntiEntropyConfig config, AntiEntropyCounters counters) {
        this.self = self;
        this.storage = storage;
        this.transport = transport;
        this.liveness = liveness;
        this.clock = clock;
        this.background = background;
        this.pendingHints = pendingHints;
        this.config = config;
        this.counters = counters;
    }

    /** Nodes asked besides the ring's members; set before the first round. */
    void alsoAsk(java.util.function.Supplier<java.util.Collection<NodeId>> nodes) {
        this.alsoAsk = nodes;
    }

    /** Runs one round for {@code partition}; completes with the tombstones collected here. Never fails. */
    CompletableFuture<Integer> round(Ring ring, int partition, List<NodeId> primaries) {
        HashTree tree = storage.trees().tree(partition);
        List<byte[]> keys = tree.tombstoneKeys(config.maxTombstonesPerRound());
        if (keys.isEmpty()) {
            forget(partition);
            return CompletableFuture.completedFuture(0);
        }
        counters.collectionRounds.increment();
        if (pendingHints.applyAsLong(partition) > 0 || !primaries.stream().allMatch(p -> p.equals(self) || liveness.isAlive(p))) {
            forget(partition);
            return CompletableFuture.completedFuture(0);
        }
        long[] mine = new long[keys.size()];
        for (int i = 0; i < mine.length; i++) {
            mine[i] = storage.entryHash(partition, keys.get(i));
        }
        AeStable question = new AeStable(partition, ring.version(), keys);
        // Every member, and every other node known to hold data (a joiner that received under a ring that lost a
        // claimant race, a node that left and may still hand something off): each must answer, and a non-replica
        // must hold no other state of the key.
        java.util.Set<NodeId> asked = new java.util.TreeSet<>();
        ring.members().forEach(m -> asked.add(m.id()));
        asked.addAll(alsoAsk.get());
        asked.remove(self);
        List<NodeId> others = List.copyOf(asked);
        List<CompletableFuture<AeStable.Reply>> replies = new ArrayList<>();
        for (NodeId member : others) {
            replies.add(transport.request(member, question.encode(), config.messageTimeoutMillis())
                    .thenApply(reply -> AeStable.Reply.decode(reply.bodyUnsafe(), question)));
        }
        return CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).thenComposeAsync(v -> {
            boolean[] stable = new boolean[keys.size()];
            java.util.Arrays.fill(stable, true);
            for (int m = 0; m < others.size(); m++) {
                AeStable.Reply r = replies.get(m).join();
                if (r.status() != AeStatus.OK || r.pendingHints() > 0) {
                    forget(partition);
                    return CompletableFuture.completedFuture(0);
                }
                boolean primary = primaries.contains(others.get(m));
                for (int i = 0; i < stable.length; i++) {
                    // A member that is no replica must not hold another state of the key (a stray copy from a
                    // ring change): handing it off later would bring back what the tombstone covered.
                    stable[i] &= primary ? r.hashes()[i] == mine[i] && mine[i] != 0
                            : r.hashes()[i] == 0 || r.hashes()[i] == mine[i];
                }
            }
            return collectStable(ring, partition, primaries, keys, mine, stable);
        }, background).exceptionally(t -> {
            LOG.debug("{}: tombstone round for partition {} ended: {}", self, partition, t.toString());
            forget(partition);
            return 0;
        });
    }

    private CompletableFuture<Integer> collectStable(Ring ring, int partition, List<NodeId> primaries,
            List<byte[]> keys, long[] hashes, boolean[] stable) {
        long now = clock.nanoTime();
        long grace = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.tombstoneGraceMillis());
        List<AePurge.Entry> due = new ArrayList<>();
        synchronized (observed) {
            Map<ByteBuffer, Observation> seen = observed.computeIfAbsent(partition, p -> new HashMap<>());
            Map<ByteBuffer, Observation> next = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                if (!stable[i]) {
                    continue;
                }
                ByteBuffer k = ByteBuffer.wrap(keys.get(i));
                Observation o = seen.get(k);
                if (o != null && o.hash() == hashes[i] && o.ringVersion() == ring.version()
                        && now - o.sinceNanos() >= grace) {
                    due.add(new AePurge.Entry(keys.get(i), hashes[i]));
                } else if (o != null && o.hash() == hashes[i] && o.ringVersion() == ring.version()) {
                    next.put(k, o);
                } else {
                    next.put(k, new Observation(hashes[i], ring.version(), now));
                }
            }
            observed.put(partition, next); // keys not stable now are forgotten: their stretch starts over
        }
        if (due.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        AePurge purge = new AePurge(partition, ring.version(), due);
        List<CompletableFuture<?>> remote = new ArrayList<>();
        for (NodeId p : primaries) {
            if (!p.equals(self)) {
                remote.add(transport.request(p, purge.encode(), config.messageTimeoutMillis()));
            }
        }
        // Remote first, then here: whichever copies stay behind are tombstones, which syncs spread back and a later
        // round collects again. Never a value.
        return CompletableFuture.allOf(remote.toArray(new CompletableFuture<?>[0])).handle((v, t) -> t)
                .thenComposeAsync(failure -> {
                    List<CompletableFuture<Boolean>> local = new ArrayList<>();
                    for (AePurge.Entry e : due) {
                        local.add(storage.purgeTombstone(partition, e.key(), e.expectedHash()));
                    }
                    return CompletableFuture.allOf(local.toArray(new CompletableFuture<?>[0])).thenApply(x -> {
                        int n = (int) local.stream().filter(CompletableFuture::join).count();
                        counters.tombstonesPurged.add(n);
                        LOG.debug("{}: collected {} tombstones of partition {}", self, n, partition);
                        return n;
                    });
                }, background);
    }

    void forget(int partition) {
        synchronized (observed) {
            observed.remove(partition);
        }
    }
}
