package io.chorus.coordinator;

import io.chorus.core.NodeId;

/**
 * What one partition sync with one peer did; immutable.
 *
 * @param outcome          how it ended
 * @param detail           why it was deferred or failed; empty otherwise
 * @param hashesCompared   tree node hashes compared, roots included
 * @param segmentsDiffering leaf segments whose hashes differed
 * @param keysCompared     keys whose summaries were compared
 * @param keysFetched      keys whose state came from the peer and was merged here
 * @param keysPushed       keys whose state went to the peer and was merged there
 * @param bytesSent        bytes of the requests, frames included
 * @param bytesReceived    bytes of the replies, frames included
 */
public record SyncReport(int partition, NodeId peer, Outcome outcome, String detail, long hashesCompared,
        long segmentsDiffering, long keysCompared, long keysFetched, long keysPushed, long bytesSent,
        long bytesReceived, long tookNanos) {

    public enum Outcome {
        /** The roots were equal: nothing else was exchanged. */
        IN_SYNC,
        /** The trees differed; every difference found was merged on both sides. */
        REPAIRED,
        /** A side's tree is not ready (rebuilding) or the rings differ: try again later. */
        DEFERRED,
        /** The peer did not answer or an error ended it; what was merged before stays merged. */
        FAILED
    }

    /** Whether the two replicas ended the sync holding the same states (as of the comparison). */
    public boolean converged() {
        return outcome == Outcome.IN_SYNC || outcome == Outcome.REPAIRED;
    }
}
