package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;

/**
 * One write held by a fallback node for its intended owner, as stored in the hint area: {@code sequence} makes its
 * record key unique, so deleting after the owner's ack removes exactly what was delivered. Immutable by
 * convention: the key array is not copied.
 */
record Hint(NodeId owner, long sequence, int partition, byte[] key, SiblingSet value, long createdAtMillis) {

    /** Whether the hint is older than {@code maxAgeMillis} at {@code nowMillis}: time is handed in. */
    boolean isExpired(long nowMillis, long maxAgeMillis) {
        return nowMillis - createdAtMillis > maxAgeMillis;
    }
}
