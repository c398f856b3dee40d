package io.chorus.storage;

/**
 * Counters of one engine since it was opened; an immutable snapshot.
 *
 * @param batchesCommitted LMDB write transactions committed by the group-commit writer
 * @param writesCommitted  writes acknowledged as stored (including no-op writes that changed nothing)
 * @param writesRejected   writes that failed (limits, storage full, errors)
 * @param mapGrowths       how often the LMDB map was enlarged
 * @param mapSizeBytes     the current LMDB map size
 * @param usedBytes        the pages LMDB has used so far (its high-water mark: freed pages are reused, not returned)
 * @param pendingWrites    writes queued and not yet picked up by the writer
 * @param mergesOverLimit  merges of replica states stored over the sibling or size limit (they are never refused)
 */
public record StorageStats(long batchesCommitted, long writesCommitted, long writesRejected, long mapGrowths,
        long mapSizeBytes, long usedBytes, int pendingWrites, long mergesOverLimit) {
}
