package io.chorus.coordinator;

/**
 * The node-to-node opcodes of the coordinator (see "Node-to-node messages" in {@code docs/protocol.md}): replica
 * reads and writes in the 0x10xx concern, hinted handoff in 0x11xx. Constants only.
 */
public final class PeerOpcodes {

    /** Merge a sibling set into the receiver's store; empty reply once durable. */
    public static final int REPLICA_PUT = 0x1001;
    /** Read the receiver's sibling set of a key. */
    public static final int REPLICA_GET = 0x1002;
    /** Coordinate a client GET/PUT/DELETE on the receiver, a replica of the key. */
    public static final int FORWARD = 0x1003;
    /** Keep a sibling set as a durable hint for its owner; empty reply once durable. */
    public static final int HINT_PUT = 0x1101;

    private PeerOpcodes() {
    }
}
