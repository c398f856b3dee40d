package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.storage.KeyValueArea;
import io.chorus.storage.StorageEngine;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hints this node holds for other nodes, durable in the storage engine's {@value #AREA} area, one record per
 * hinted write (format in {@link HintCodec}). A hint is acknowledged only once committed, and deleted only by the
 * exact key it was stored under, so a newer hint for the same data key is never lost with an older one.
 *
 * <p>Bounded: when {@code maxHints} are held, new hints are refused (OVERLOADED, counted as dropped), so the
 * write's coordinator tries another fallback or reports fewer acks; it never counts a hint that was not stored.
 * The bound is checked before the write, so concurrent adds may pass it by a few. A bound of 0 refuses every hint
 * (hints disabled): each refusal is counted but logged only at debug, as it is the configured behaviour.
 *
 * <p>Thread-safe: the sequence is atomic, the area is thread-safe.
 */
final class HintStore {

    static final String AREA = "hints";
    private static final Logger LOG = LoggerFactory.getLogger(HintStore.class);

    private final KeyValueArea area;
    private final long maxHints;
    private final Counters counters;
    private final AtomicLong nextSequence;
    /** Whether the store is full and said so: one WARN a spell. */
    private final java.util.concurrent.atomic.AtomicBoolean fullSpell = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Every node this store has held hints for since it opened, so that replay scans only their key ranges. Never
     * shrinks (it is as small as the cluster): forgetting an owner whose range looked empty could race with an add.
     */
    private final Set<NodeId> owners = ConcurrentHashMap.newKeySet();
    /**
     * Hints held per partition (in-progress adds included), for tombstone collection, which must not collect a key
     * of a partition any node holds a hint for. Records whose value does not decode count under
     * {@link #UNKNOWN_PARTITION}, which blocks every partition until they are gone.
     */
    private final ConcurrentHashMap<Integer, AtomicLong> perPartition = new ConcurrentHashMap<>();
    static final int UNKNOWN_PARTITION = -1;

    private HintStore(KeyValueArea area, long maxHints, Counters counters, long nextSequence, Set<NodeId> owners,
            Map<Integer, Long> perPartition) {
        this.area = area;
        this.maxHints = maxHints;
        this.counters = counters;
        this.nextSequence = new AtomicLong(nextSequence);
        this.owners.addAll(owners);
        perPartition.forEach((p, n) -> this.perPartition.put(p, new AtomicLong(n)));
    }

    /**
     * Opens the area and recovers, in one scan at startup, the sequence counter (so a restarted node never reuses a
     * sequence number and overwrites an undelivered hint) and the owners that have hints. A record whose key does
     * not decode could never be delivered: it is deleted, counted as dropped and logged.
     */
    static HintStore open(StorageEngine storage, long maxHints, Counters counters) {
        return open(storage.area(AREA), maxHints, counters);
    }

    /** {@link #open(StorageEngine, long, Counters)} on an area already opened (tests wrap it to watch it). */
    static HintStore open(KeyValueArea area, long maxHints, Counters counters) {
        long[] max = {-1};
        Set<NodeId> owners = new HashSet<>();
        Map<Integer, Long> perPartition = new HashMap<>();
        area.scan(new byte[0], (key, value) -> {
            try {
                owners.add(HintCodec.owner(key));
                max[0] = Math.max(max[0], HintCodec.sequence(key));
                int partition;
                try {
                    partition = HintCodec.decode(key, value).partition();
                } catch (ChorusException unreadable) {
                    partition = UNKNOWN_PARTITION; // replay drops it; until then it blocks every partition
                }
                perPartition.merge(partition, 1L, Long::sum);
            } catch (ChorusException e) {
                LOG.warn("dropping a hint with a malformed key while recovering: {}", e.getMessage());
                counters.hintsDropped.increment();
                area.delete(key).whenComplete((deleted, failure) -> {
                    if (failure != null) {
                        LOG.warn("could not delete a malformed hint record", failure);
                    }
                });
            }
            return true;
        });
        return new HintStore(area, maxHints, counters, max[0] + 1, owners, perPartition);
    }

    /** Stores a hint for {@code owner}; completes once it is durable. */
    CompletableFuture<Void> add(NodeId owner, int partition, byte[] key, SiblingSet value, long nowMillis) {
        if (maxHints == 0) {
            counters.hintsDropped.increment();
            LOG.debug("hints are disabled: refusing a hint for {}", owner);
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.OVERLOADED,
                    "this node stores no hints (maxHints 0)"));
        }
        if (area.count() >= maxHints) {
            counters.hintsDropped.increment();
            // Once a full spell, not once a hint: a busy node would log every write otherwise.
            if (fullSpell.compareAndSet(false, true)) {
                LOG.warn("hint store full ({} hints): refusing hints until replay frees room; each is counted in"
                        + " coordinator.hints_dropped, and anti-entropy repairs what they carried", maxHints);
            } else {
                LOG.debug("hint store full ({} hints): refusing a hint for {}", maxHints, owner);
            }
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.OVERLOADED,
                    "the hint store holds its maximum of " + maxHints + " hints"));
        }
        fullSpell.set(false);
        owners.add(owner);
        long sequence = nextSequence.getAndIncrement();
        Hint hint = new Hint(owner, sequence, partition, key, value, nowMillis);
        // Counted before it is stored: a tombstone round that asks meanwhile must see it.
        count(partition, 1);
        return area.put(HintCodec.key(owner, sequence), HintCodec.value(hint))
                .whenComplete((v, failure) -> {
                    if (failure != null) {
                        count(partition, -1);
                    }
                })
                .thenRun(counters.hintsStored::increment);
    }

    /** Deletes exactly {@code hint}'s record. */
    CompletableFuture<Boolean> remove(Hint hint) {
        return area.delete(HintCodec.key(hint.owner(), hint.sequence())).thenApply(removed -> {
            if (removed) {
                count(hint.partition(), -1);
            }
            return removed;
        });
    }

    /** Deletes a record by its stored key (for records whose value does not decode). */
    CompletableFuture<Boolean> removeRaw(byte[] storedKey) {
        return area.delete(storedKey).thenApply(removed -> {
            if (removed) {
                count(UNKNOWN_PARTITION, -1);
            }
            return removed;
        });
    }

    /** Hints held for keys of {@code partition}, and any whose partition is unknown. */
    long pending(int partition) {
        return held(partition) + held(UNKNOWN_PARTITION);
    }

    private long held(int partition) {
        AtomicLong n = perPartition.get(partition);
        return n == null ? 0 : n.get();
    }

    private void count(int partition, long delta) {
        // Never below 0: a record counted under its partition that later stops decoding is removed as unknown.
        perPartition.computeIfAbsent(partition, p -> new AtomicLong()).accumulateAndGet(delta,
                (a, b) -> Math.max(0, a + b));
    }

    KeyValueArea area() {
        return area;
    }

    /** The nodes this store may hold hints for: each one it held hints for since it opened. */
    Set<NodeId> owners() {
        return owners;
    }
}
