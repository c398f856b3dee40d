package io.chorus.gossip;

import io.chorus.ring.Ring;

/**
 * Bounds of the gossip encodings, checked by every decoder before it allocates, so a lying peer costs a rejected
 * message and never memory. Stateless.
 */
public final class GossipLimits {

    /**
     * Digests a SYN, or heartbeats and wants an ACK or ACK2, may list: every member a ring can hold
     * ({@value Ring#MAX_MEMBERS}) and three times as many joining or removed.
     */
    public static final int MAX_NODES = 4 * Ring.MAX_MEMBERS;
    /**
     * Full node states in one ACK or ACK2, whatever a node's config says: a state is about 100 bytes plus its
     * received bit set (at most Q/8 bytes), so 1024 of them stay within about 9 MiB at the largest Q, well under the
     * 16 MiB frame.
     */
    public static final int MAX_STATES_PER_MESSAGE = 1024;
    public static final int MAX_CLUSTER_NAME_BYTES = 255;
    /** host:port with the longest DNS name (253), brackets of an IPv6 literal and a port, with room to spare. */
    public static final int MAX_ADDRESS_BYTES = 512;
    public static final int MAX_ZONE_BYTES = 255;
    /** The received bit set of a ring of at most 2^16 partitions. */
    public static final int MAX_RECEIVED_BYTES = (1 << 16) / 8;
    /** A ring state in an ACK or ACK2: two rings of 2^16 partitions and 1024 members take well under this. */
    public static final int MAX_RING_STATE_BYTES = 8 << 20;

    private GossipLimits() {
    }
}
