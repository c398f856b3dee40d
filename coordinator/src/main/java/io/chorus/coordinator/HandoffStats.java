package io.chorus.coordinator;

/**
 * Counters of a node's handoff since it started; immutable.
 *
 * @param partitionsReceived partitions this node received as a new replica
 * @param partitionsReleased partitions it handed off and dropped
 * @param straysDropped      stray partitions it handed to their replicas and dropped
 * @param keysMoved          keys fetched plus pushed by handoff syncs
 * @param bytesMoved         bytes sent plus received by handoff syncs
 * @param inFlight           partitions syncing now
 */
public record HandoffStats(long partitionsReceived, long partitionsReleased, long straysDropped, long keysMoved,
        long bytesMoved, int inFlight) {
}
