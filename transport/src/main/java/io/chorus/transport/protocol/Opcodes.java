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
    /** The receiving node's view of the members, with the claimant it sees. */
    public static final int MEMBERS = 0x0204;
    /** The ring state the receiving node holds, as opaque bytes (the ring state encoding). */
    public static final int RING = 0x0205;
    /** The receiving node, not yet a member, stages its join through a seed member. */
    public static final int JOIN = 0x0206;
    /** The receiving node stages its own leave. */
    public static final int LEAVE = 0x0207;
    /** The receiving node stages the removal of a dead member. */
    public static final int REMOVE = 0x0208;
    /** What committing the staged changes would do now, named by a token. */
    public static final int PLAN = 0x0209;
    /** Asks the claimant to commit a plan; answered once the commit is seen. */
    public static final int COMMIT = 0x020A;
    /** The partition handoffs the receiving node takes part in. */
    public static final int TRANSFERS = 0x020B;
    /** A consistent copy of the receiving node's store, written on its host (docs/operations.md, "Backups"). */
    public static final int BACKUP = 0x020C;

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
        return switch (opcode) {
            case GET, PUT, DELETE, CLUSTER_INFO, STATS, REPAIR, MEMBERS, RING, JOIN, LEAVE, REMOVE, PLAN, COMMIT,
                    TRANSFERS, BACKUP -> true;
            default -> false;
        };
    }

    /**
     * Whether a peer that said HELLO with {@code role} may send {@code opcode} to a handler. Clients get the client
     * opcodes only; nodes also get every node-to-node concern (and the client ones, for forwarding). Everything
     * else is answered with UNKNOWN_OPCODE by the server. HELLO and PING are the server's own.
     */
    public static boolean isServedTo(Role role, int opcode) {
        return isClientRequest(opcode) || (role == Role.NODE && isNodeToNode(opcode));
    }

    /**
     * The permission a client needs for {@code opcode}, or null when any authenticated client may send it: the
     * topology a client routes by (CLUSTER_INFO, MEMBERS, RING). GET needs READ; PUT and DELETE need WRITE; every
     * other cluster opcode (STATS, REPAIR, membership changes, PLAN, COMMIT, TRANSFERS, BACKUP) needs ADMIN.
     * Only meaningful for {@linkplain #isClientRequest client requests}.
     */
    public static Permission permission(int opcode) {
        return switch (opcode) {
            case CLUSTER_INFO, MEMBERS, RING -> null;
            case GET -> Permission.READ;
            case PUT, DELETE -> Permission.WRITE;
            default -> Permission.ADMIN;
        };
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
            case MEMBERS -> "MEMBERS";
            case RING -> "RING";
            case JOIN -> "JOIN";
            case LEAVE -> "LEAVE";
            case REMOVE -> "REMOVE";
            case PLAN -> "PLAN";
            case COMMIT -> "COMMIT";
            case TRANSFERS -> "TRANSFERS";
            case BACKUP -> "BACKUP";
            default -> String.format("0x%04x", opcode);
        };
    }
}
