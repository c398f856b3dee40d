package io.chorus.benchmarks.ycsb;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which one record a YCSB read returns when the key has concurrent siblings ({@code chorus.siblings}). YCSB knows
 * one value per key; Chorus keeps every concurrent write, so the binding must pick, and the pick must not depend
 * on timing or on which replica answered first, or two runs of the same workload would read different data.
 * The server returns live siblings ordered by the dot of their write, the same order from every coordinator.
 * Stateless.
 */
public enum SiblingPolicy {

    /** {@code first}: the first sibling in the server's order (the lowest dot). Costs one decode. */
    FIRST {
        @Override
        TreeMap<String, byte[]> resolve(List<byte[]> siblings) {
            return FieldCodec.decode(siblings.get(0));
        }
    },

    /**
     * {@code merge}: the union of every sibling's fields; a field several siblings hold gets the greatest of their
     * values (unsigned bytewise). Max and union are commutative, associative and idempotent, so the result is
     * the same whatever the order and however often a read repeats it: a tiny CRDT, as an application resolving
     * siblings would write one.
     */
    MERGE {
        @Override
        TreeMap<String, byte[]> resolve(List<byte[]> siblings) {
            TreeMap<String, byte[]> merged = new TreeMap<>();
            for (byte[] sibling : siblings) {
                for (Map.Entry<String, byte[]> field : FieldCodec.decode(sibling).entrySet()) {
                    merged.merge(field.getKey(), field.getValue(),
                            (a, b) -> Arrays.compareUnsigned(a, b) >= 0 ? a : b);
                }
            }
            return merged;
        }
    };

    /**
     * The one record {@code siblings} (live values in the server's order, at least one) stand for. A sibling
     * that is not a record fails with {@link FieldCodec.MalformedRecordException}.
     */
    abstract TreeMap<String, byte[]> resolve(List<byte[]> siblings);

    /** The policy a property value names: {@code first} or {@code merge}, any case. */
    public static SiblingPolicy parse(String name) {
        for (SiblingPolicy p : values()) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("chorus.siblings must be first or merge, not '" + name + "'");
    }
}
