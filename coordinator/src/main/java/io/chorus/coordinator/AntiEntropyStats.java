package io.chorus.coordinator;

import java.util.Map;

/**
 * Anti-entropy counters of one node since it started, and the time of each held partition's last sync that
 * converged with every other replica; an immutable snapshot.
 *
 * @param exchanges         syncs this node started (each with one peer and one partition)
 * @param hashesCompared    tree node hashes compared by those syncs
 * @param segmentsDiffering leaf segments found differing
 * @param keysFetched       keys repaired here from a peer's state (as the initiator)
 * @param keysPushed        keys repaired on a peer from this node's state (as the initiator)
 * @param keysSent          states this node sent to askers (AE_FETCH, as the responder)
 * @param keysReceived      states merged here from askers (AE_PUSH, as the responder)
 * @param treeRebuilds      hash tree rebuilds completed
 * @param treesNotReady     trees not ready (rebuilding)
 * @param lastSyncMillis    per held partition, the wall-clock time its syncs last converged with every replica
 */
public record AntiEntropyStats(long exchanges, long inSync, long repaired, long deferred, long failed,
        long hashesCompared, long segmentsDiffering, long keysFetched, long keysPushed, long keysSent,
        long keysReceived, long bytesSent, long bytesReceived, long tombstonesPurged, long collectionRounds,
        long treeRebuilds, long treesNotReady, Map<Integer, Long> lastSyncMillis) {

    public AntiEntropyStats {
        lastSyncMillis = Map.copyOf(lastSyncMillis);
    }
}
