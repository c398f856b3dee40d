package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import java.util.List;
import java.util.function.Function;

/**
 * The reply to a GOSSIP_SYN: the node states the receiver holds that are newer than the initiator's digests (or
 * that it did not list), the digests of what the receiver wants (the nodes whose state the initiator has newer,
 * each with the (generation, version) the receiver holds, {@code (0, 0)} for none), and the ring state if the
 * receiver's supersedes the initiator's, or a request for the initiator's if that one supersedes.
 *
 * <pre>
 * ACK = ringFlags:u8  [ring:bytes]  stateCount:varint state * stateCount
 *       wantCount:varint (node:string generation:varint version:varint) * wantCount
 * </pre>
 *
 * {@code ringFlags}: bit 0, a ring state follows (its {@code RingStateCodec} encoding); bit 1, send yours; other
 * bits 0. Both bits are set when the two digests tie on version and author but the fingerprints differ: only the
 * bytes can order them. States and wants are each in strictly increasing id order and at most
 * {@link GossipLimits#MAX_STATES_PER_MESSAGE} (the sender's config caps them lower). Immutable.
 *
 * @param ring the receiver's ring state, or null
 * @param wantsRing whether the initiator should send its ring state in the ACK2
 */
public record GossipAck(List<NodeState> states, List<Digest> wants, RingState ring, boolean wantsRing) {

    public GossipAck {
        states = GossipFields.checkIncreasing("ACK states", states, NodeState::id,
                GossipLimits.MAX_STATES_PER_MESSAGE);
        wants = GossipFields.checkIncreasing("ACK wants", wants, Digest::node, GossipLimits.MAX_STATES_PER_MESSAGE);
    }

    public Message encode() {
        BodyWriter w = new BodyWriter(64 + 100 * states.size() + 16 * wants.size());
        w.u8((ring != null ? 1 : 0) | (wantsRing ? 2 : 0));
        if (ring != null) {
            w.bytes(RingStateCodec.encode(ring));
        }
        GossipFields.writeStates(w, states);
        GossipFields.writeDigests(w, wants);
        return Message.adopt(GossipOpcodes.GOSSIP_SYN, w.toArray());
    }

    public static GossipAck decode(byte[] body) {
        return decode(body, id -> null);
    }

    /** {@code held}: the states this node holds, whose strings decoded states may share (see NodeStateCodec). */
    static GossipAck decode(byte[] body, Function<NodeId, NodeState> held) {
        ByteReader r = new ByteReader(body);
        int flags = r.u8("ACK ring flags");
        if ((flags & ~3) != 0) {
            throw new MalformedEncodingException("ACK ring flags " + flags + " has bits other than 0 and 1");
        }
        RingState ring = (flags & 1) != 0 ? GossipFields.readRing(r, "ACK ring state") : null;
        List<NodeState> states = GossipFields.readStates(r, "ACK states", held);
        List<Digest> wants = GossipFields.readDigests(r, "ACK wants", GossipLimits.MAX_STATES_PER_MESSAGE);
        r.expectEnd("ACK");
        return new GossipAck(states, wants, ring, (flags & 2) != 0);
    }
}
