package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.ring.RingState;
import java.util.BitSet;

/**
 * What handoff needs from membership (gossip, in the server; a fake in tests). Implementations are thread-safe.
 */
public interface ClusterMembership {

    /** The ring state this node routes by now. */
    RingState ring();

    /** The failure detector's verdict. */
    boolean isAlive(NodeId node);

    /**
     * Whether every live member of the ring state reports holding a ring state of at least {@code version}: then
     * every coordinator that can still reach a replica routes writes by it.
     */
    boolean allHaveSeen(long version);

    /** Tells the cluster (by gossip) that this node finished its part of these partitions of the transition. */
    void publishFinished(long targetId, BitSet partitions);

    /** What this node has published for the transition so far; it survives a restart of the node. */
    BitSet published(long targetId);
}
