package io.chorus.coordinator;

/**
 * Counters of one coordinator since it was built; an immutable snapshot.
 *
 * @param forwards        client requests this node passed to a replica of the key (FORWARD)
 * @param readRepairs     REPLICA_PUTs (or local merges) of a read's merged state sent to stale replicas
 * @param hintsStored     hints this node stored for other nodes
 * @param hintsDelivered  hints delivered to their owner and deleted
 * @param hintsDropped    hints refused (store full), expired or unreadable, never delivered
 * @param quorumFailures  requests this node coordinated that failed with QUORUM_NOT_MET or TIMEOUT
 */
public record CoordinatorStats(long forwards, long readRepairs, long hintsStored, long hintsDelivered,
        long hintsDropped, long quorumFailures) {
}
