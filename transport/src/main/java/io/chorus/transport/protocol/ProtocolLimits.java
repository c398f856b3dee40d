package io.chorus.transport.protocol;

/**
 * The limits of the wire protocol (protocol.md, "Limits"), checked when bodies are built or decoded. Constants
 * only.
 */
public final class ProtocolLimits {

    /** LMDB's 511-byte key limit less the 2-byte partition prefix. */
    public static final int MAX_KEY_BYTES = 509;
    public static final int MAX_PING_PAYLOAD_BYTES = 1024;
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** Names in HELLO, endpoints and stats: bounded like node ids. */
    public static final int MAX_NAME_BYTES = 255;
    /**
     * A syntactic bound on N, R and W: large enough for any real cluster, small enough that a request cannot ask
     * for absurd fan-out. The coordinator checks N against the cluster itself.
     */
    public static final int MAX_REPLICAS = 255;

    private ProtocolLimits() {
    }
}
