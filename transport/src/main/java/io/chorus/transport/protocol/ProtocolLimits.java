package io.chorus.transport.protocol;

/**
 * The limits of the wire protocol (protocol.md, "Limits"), checked when bodies are built or decoded. Constants
 * only.
 */
public final class ProtocolLimits {

    /** LMDB's 511-byte key limit less the stored key's 2-byte partition prefix and 4-byte segment hash. */
    public static final int MAX_KEY_BYTES = 505;
    /** Partitions are numbered 0..65535 (at most 2^16 of them: the storage key prefix is 2 bytes). */
    public static final int MAX_PARTITION = 0xFFFF;
    public static final int MAX_PING_PAYLOAD_BYTES = 1024;
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** Names in HELLO, endpoints and stats: bounded like node ids. */
    public static final int MAX_NAME_BYTES = 255;
    /** A password in a HELLO, in bytes (UTF-8). */
    public static final int MAX_PASSWORD_BYTES = 1024;
    /** Addresses ({@code host:port}) in the membership admin messages: bounded like names. */
    public static final int MAX_ADDRESS_BYTES = 255;
    /** Zones in MEMBERS: bounded as in the ring encoding. */
    public static final int MAX_ZONE_BYTES = 255;
    /** The human-readable problem of a PLAN response. */
    public static final int MAX_PROBLEM_BYTES = 1024;
    /** An enum value on the wire, a lowercase ASCII word: far more than any value needs. */
    public static final int MAX_ENUM_BYTES = 32;
    /** A count of partitions (of a member, moving, in a plan): a ring has at most 2^16 of them. */
    public static final int MAX_PARTITIONS = MAX_PARTITION + 1;
    /**
     * A syntactic bound on N, R and W: large enough for any real cluster, small enough that a request cannot ask
     * for absurd fan-out. The coordinator checks N against the cluster itself.
     */
    public static final int MAX_REPLICAS = 255;
    /** A request's timeout: 0 for the node's default, else at most 10 minutes. */
    public static final long MAX_TIMEOUT_MILLIS = 600_000;
    /**
     * What every message that carries a stored sibling set adds around it, rounded up: the frame header and, the
     * largest, HINT_PUT's owner (2 + 255 bytes), partition (3), key (2 + 505) and the set's own length (4). A set
     * of at most {@link #maxStoredObjectBytes} therefore fits in a REPLICA_PUT, a HINT_PUT, a REPLICA_GET or FORWARD
     * reply and a GET or PUT response, so whatever a node stores can travel.
     */
    public static final int STORED_OBJECT_OVERHEAD = 1024;

    /** The largest stored sibling set a node with frames of at most {@code maxFrameBytes} may accept. */
    public static int maxStoredObjectBytes(int maxFrameBytes) {
        return maxFrameBytes - STORED_OBJECT_OVERHEAD;
    }

    private ProtocolLimits() {
    }
}
