package io.chorus.gossip;

/**
 * A node's membership status. A node gossips its own JOINING, UP or LEAVING; REMOVED comes from the ring state
 * (the claimant removed it, or it left). DOWN is never gossiped: it is the local failure detector's verdict on a
 * node whose gossiped status is something else, shown by {@link MembershipView#status}.
 */
public enum NodeStatus {
    /** Gossiping, not (yet) in the ring: a staged join. */
    JOINING,
    /** In the ring, serving. */
    UP,
    /** In the ring, asked to leave: a staged leave until committed, then handing its partitions off. */
    LEAVING,
    /** Convicted by this node's failure detector (local, not gossiped). */
    DOWN,
    /** Out of the cluster for good under this name. */
    REMOVED
}
