package io.chorus.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The listing behind {@link StorageEngine#segmentEntries}, over any ordered store of data keys: each listed
 * segment is one range of stored keys ({@link StoreKeys#segmentStart}), walked from its start, or from after the
 * resume key when that lies inside it, until the byte budget is used. Stateless apart from its arguments.
 */
final class SegmentListing {

    /** An ordered view of stored data keys, positioned by {@link #seek}. */
    interface Source {
        /** Positions at the first stored key at or after {@code from}; false when there is none. */
        boolean seek(byte[] from);

        boolean next();

        byte[] key();

        byte[] value();
    }

    private final int partition;
    private final int bits;
    private final int[] segments;
    private final byte[] resumeStored;
    private final int maxBytes;

    private SegmentListing(int partition, int bits, int[] segments, byte[] resumeStored, int maxBytes) {
        this.partition = partition;
        this.bits = bits;
        this.segments = segments;
        this.resumeStored = resumeStored;
        this.maxBytes = maxBytes;
    }

    static SegmentListing of(int partition, int bits, int[] segments, byte[] resumeAfter, int maxBytes) {
        StoreKeys.checkPartition(partition);
        if (bits < 0 || bits > KeyHash.MAX_BITS) {
            throw new IllegalArgumentException("bits must be in 0.." + KeyHash.MAX_BITS + ", got " + bits);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
        }
        for (int i = 0; i < segments.length; i++) {
            if (segments[i] < 0 || (bits < 31 && segments[i] >= 1 << bits)
                    || (i > 0 && segments[i] <= segments[i - 1])) {
                throw new IllegalArgumentException("segments must ascend within 0..2^" + bits + ": "
                        + Arrays.toString(segments));
            }
        }
        byte[] resume = resumeAfter == null || resumeAfter.length == 0 ? null
                : StoreKeys.dataKey(partition, resumeAfter);
        return new SegmentListing(partition, bits, segments.clone(), resume, maxBytes);
    }

    SegmentEntries run(Source src) {
        byte[] prefix = StoreKeys.prefix(partition);
        List<StoredEntry> entries = new ArrayList<>();
        long bytes = 0;
        for (int segment : segments) {
            byte[] from = StoreKeys.segmentStart(partition, bits, segment);
            byte[] end = StoreKeys.segmentEnd(partition, bits, segment);
            boolean skipFrom = false;
            if (resumeStored != null && Arrays.compareUnsigned(resumeStored, from) >= 0) {
                from = resumeStored;
                skipFrom = true;
            }
            if (end != null && Arrays.compareUnsigned(from, end) >= 0) {
                continue;
            }
            boolean ok = src.seek(from);
            if (ok && skipFrom && Arrays.equals(src.key(), from)) {
                ok = src.next();
            }
            while (ok) {
                byte[] k = src.key();
                if (end != null ? Arrays.compareUnsigned(k, end) >= 0 : !startsWith(k, prefix)) {
                    break;
                }
                if (!entries.isEmpty() && bytes >= maxBytes) {
                    return new SegmentEntries(entries, true);
                }
                byte[] v = src.value();
                entries.add(new StoredEntry(StoreKeys.userKey(k), v));
                bytes += k.length + v.length;
                ok = src.next();
            }
        }
        return new SegmentEntries(entries, false);
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
