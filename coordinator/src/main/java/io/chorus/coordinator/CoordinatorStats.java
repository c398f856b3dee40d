package io.chorus.coordinator;

/**
 * Counters of one coordinator since it was built; an immutable snapshot.
 *
 * @param forwards                    client requests this node passed to a replica of the key (FORWARD)
 * @param readRepairs                 REPLICA_PUTs (or local merges) of a read's merged state sent to stale
 *                                    replicas, the background ones included
 * @param hintsStored                 hints this node stored for other nodes
 * @param hintsDelivered              hints delivered to their owner and deleted
 * @param hintsDropped                hints refused (store full), expired or unreadable, never delivered
 * @param quorumFailures              requests this node coordinated that failed with QUORUM_NOT_MET or TIMEOUT
 * @param speculativeReads            reads that asked one replica more because the asked ones were slower than
 *                                    the speculative retry delay
 * @param readsWidened                reads that asked every remaining replica after the replica timeout without a
 *                                    quorum
 * @param backgroundReadRepairChecks  reads that asked the replicas they had not asked after answering, to compare
 *                                    them (at {@code readRepairChance})
 * @param backgroundReadRepairs       repairs sent to replicas that only such a comparison asked
 * @param speculativeDelayMillis      the delay a read would wait now before speculating (0 when off)
 */
public record CoordinatorStats(long forwards, long readRepairs, long hintsStored, long hintsDelivered,
        long hintsDropped, long quorumFailures, long speculativeReads, long readsWidened,
        long backgroundReadRepairChecks, long backgroundReadRepairs, long speculativeDelayMillis) {
}
