package io.chorus.gossip;

/**
 * The gossip opcodes (the {@code 0x20xx} concern of docs/protocol.md). One exchange is two requests: the
 * initiator's SYN, answered by the ACK, then its ACK2, answered by an empty body. Stateless.
 */
public final class GossipOpcodes {

    /** Digests of everything the initiator knows; the reply is the ACK. */
    public static final int GOSSIP_SYN = 0x2001;
    /** The states (and ring state) the ACK asked for; the reply is empty. */
    public static final int GOSSIP_ACK2 = 0x2002;

    private GossipOpcodes() {
    }

    /** Whether {@code opcode} is one the gossip agent serves. */
    public static boolean isGossip(int opcode) {
        return opcode == GOSSIP_SYN || opcode == GOSSIP_ACK2;
    }
}
