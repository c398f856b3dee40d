package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The other side of a partition sync, as the initiator sees it: the questions of the anti-entropy messages
 * (docs/protocol.md, "Anti-entropy messages"). {@link RemoteSyncPeer} asks them over a transport; every answer
 * may fail (the peer is down, a timeout), which ends the sync, never its correctness.
 */
interface SyncPeer {

    NodeId node();

    /** The peer's tree root and resolution; not ready, or a ring that differs, when the sync must wait. */
    CompletableFuture<PeerRoot> root(int partition);

    /** As {@link io.chorus.storage.HashTree#children}; completes with null when the peer cannot answer now. */
    CompletableFuture<long[]> children(int partition, int leafBits, int parentBits, int[] parents);

    /** The keys and causal summaries of segments, a page of about {@code maxBytes}; null when it cannot answer. */
    CompletableFuture<SummaryPage> summaries(int partition, int bits, int[] segments, byte[] resumeAfter,
            int maxBytes);

    /** The full states of keys (the empty set for an absent one): the answers to a prefix of {@code keys}. */
    CompletableFuture<List<KeyState>> fetch(int partition, List<byte[]> keys);

    /** Merges the states into the peer's store; completes once durable there. */
    CompletableFuture<Void> push(int partition, List<KeyState> states);

    /** Bytes of requests sent and replies received so far, frames included. */
    long bytesSent();

    long bytesReceived();

    /** What the peer said of its tree. */
    record PeerRoot(Readiness readiness, int bits, long keyCount, long root) {
    }

    enum Readiness { READY, NOT_READY, RING_DIFFERS }

    record KeyState(byte[] key, SiblingSet state) {
    }

    record SummaryPage(List<KeyState> summaries, boolean truncated) {
    }
}
