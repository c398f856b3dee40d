package io.chorus.coordinator;

/**
 * The node-to-node opcodes of the coordinator (see "Node-to-node messages" in {@code docs/protocol.md}): replica
 * reads and writes in the 0x10xx concern, hinted handoff in 0x11xx; and of anti-entropy in 0x30xx ("Anti-entropy
 * messages"). Constants only.
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

    /** Anti-entropy: the root of the receiver's hash tree of a partition ({@code AeRoot}). */
    public static final int AE_ROOT = 0x3001;
    /** Anti-entropy: the hashes of the children of some tree nodes ({@code AeHashes}). */
    public static final int AE_HASHES = 0x3002;
    /** Anti-entropy: the keys and causal summaries of some leaf segments ({@code AeKeys}). */
    public static final int AE_KEYS = 0x3003;
    /** Anti-entropy: the full sibling sets of some keys ({@code AeFetch}). */
    public static final int AE_FETCH = 0x3004;
    /** Anti-entropy: merge these sibling sets ({@code AePush}). */
    public static final int AE_PUSH = 0x3005;
    /** Tombstone collection: the receiver's entry hashes of some keys, and its pending hints ({@code AeStable}). */
    public static final int AE_STABLE = 0x3006;
    /** Tombstone collection: remove these keys if their entries still hash as expected ({@code AePurge}). */
    public static final int AE_PURGE = 0x3007;

    private PeerOpcodes() {
    }

    /** Whether {@code opcode} is one of the anti-entropy concern (0x30xx). */
    public static boolean isAntiEntropy(int opcode) {
        return (opcode >>> 8) == 0x30;
    }
}
