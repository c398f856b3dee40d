package io.chorus.transport.protocol;

/**
 * The opcode table of protocol version 1. The high byte of an opcode names a concern, so each concern can grow
 * without colliding with another; {@link #concern} extracts it. Constants only; stateless.
 */
public final class Opcodes {

    // ---- connection (0x00xx): answered by the server itself ----
    public static final int HELLO = 0x0001;
    public static final int PING = 0x0002;

    // ---- client key-value (0x01xx) ----
    public static final int GET = 0x0101;
    public static final int PUT = 0x0102;
    public static final int DELETE = 0x0103;

    // ---- cluster (0x02xx) ----
    public static final int CLUSTER_INFO = 0x0201;
    public static final int STATS = 0x0202;
    /** Run anti-entropy on the receiving node now (all its partitions or one) and report what it did. */
    public static final int REPAIR = 0x0203;

    // ---- concerns: the high byte ----
    public static final int CONCERN_CONNECTION = 0x00;
    public static final int CONCERN_CLIENT_KV = 0x01;
    public static final int CONCERN_CLUSTER = 0x02;
    /** Replica reads and writes, node to node; opcodes added by the coordinator. */
    public static final int CONCERN_REPLICA = 0x10;
    public static final int CONCERN_HINTED_HANDOFF = 0x11;
    public static final int CONCERN_GOSSIP = 0x20;
    public static final int CONCERN_ANTI_ENTROPY = 0x30;
    public static final int CONCERN_PARTITION_HANDOFF = 0x40;

    private Opcodes() {
    }

    /** The concern (high byte) of {@code opcode}. */
    public static int concern(int opcode) {
        return (opcode >>> 8) & 0xFF;
    }

    /** Whether the opcode belongs to a node-to-node concern (replica, hints, gossip, anti-entropy, handoff). */
    public static boolean isNodeToNode(int opcode) {
        return switch (concern(opcode)) {
            case CONCERN_REPLICA, CONCERN_HINTED_HANDOFF, CONCERN_GOSSIP, CONCERN_ANTI_ENTROPY,
                    CONCERN_PARTITION_HANDOFF -> true;
            default -> false;
        };
    }

    /** Whether the opcode is one of the client requests a node's client handler serves. */
    public static boolean isClientRequest(int opcode) {
        return opcode == GET || opcode == PUT || opcode == DELETE || opcode == CLUSTER_INFO || opcode == STATS
                || opcode == REPAIR;
    }

    /**
     * Whether a peer that said HELLO with {@code role} may send {@code opcode} to a handler. Clients get the client
     * opcodes only; nodes also get every node-to-node concern (and the client ones, for forwarding). Everything
     * else is answered with UNKNOWN_OPCODE by the server. HELLO and PING are the server's own.
     */
    public static boolean isServedTo(Role role, int opcode) {
        return isClientRequest(opcode) || (role == Role.NODE && isNodeToNode(opcode));
    }

    /** A readable name for logs: the table name, or the hex value. */
    public static String name(int opcode) {
        return switch (opcode) {
            case HELLO -> "HELLO";
            case PING -> "PING";
            case GET -> "GET";
            case PUT -> "PUT";
            case DELETE -> "DELETE";
            case CLUSTER_INFO -> "CLUSTER_INFO";
            case STATS -> "STATS";
            case REPAIR -> "REPAIR";
            default -> String.format("0x%04x", opcode);
        };
    }
}
