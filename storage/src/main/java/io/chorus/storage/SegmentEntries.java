package io.chorus.storage;

import java.util.List;

/**
 * What {@link StorageEngine#segmentEntries} found, in stored order (segment, then key); {@code truncated} when the
 * byte budget ended the listing before the last segment's end: ask again from after the last entry.
 */
public record SegmentEntries(List<StoredEntry> entries, boolean truncated) {
}
