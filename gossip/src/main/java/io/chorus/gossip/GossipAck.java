package io.chorus.gossip;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import java.util.List;
import java.util.function.Function;

/**
 * The reply to a GOSSIP_SYN: what the receiver holds newer than the initiator's digests (or that they did not list),
 * the digests of what the receiver wants (each with what the receiver holds, {@code (0, 0, 0)} for nothing), and
 * the ring state if the receiver's supersedes the initiator's, or a request for the initiator's if that one
 * supersedes.
 *
 * <p>Newer content goes as a full state with the version its content was made at ({@link SentState}); a later
 * heartbeat as a bare digest (see {@link Digest}: the two are ordered apart). A node can have both: a full state and
 * a heartbeat later than that state's own version. A settled cluster's news is nearly all heartbeats, so an
 * exchange stays about a digest per node.
 *
 * <pre>
 * ACK    = ringFlags:u8  [ring:bytes]  stateCount:varint (state contentVersion:varint) * stateCount
 *          heartbeatCount:varint digest * heartbeatCount
 *          wantCount:varint digest * wantCount
 * digest = node:string  generation:varint  version:varint  contentAge:varint    contentVersion = version - age
 * </pre>
 *
 * {@code ringFlags}: bit 0, a ring state follows (its {@code RingStateCodec} encoding); bit 1, send yours; other
 * bits 0. Both bits are set when the two digests tie on version and author but the fingerprints differ: only the
 * bytes can order them. States, heartbeats and wants are each in strictly increasing id order. At most
 * {@link GossipLimits#MAX_STATES_PER_MESSAGE} states (the sender's config caps them lower), at most
 * {@link GossipLimits#MAX_NODES} heartbeats and wants. Immutable.
 *
 * @param ring the receiver's ring state, or null
 * @param wantsRing whether the initiator should send its ring state in the ACK2
 */
public record GossipAck(List<SentState> states, List<Digest> heartbeats, List<Digest> wants, RingState ring,
        boolean wantsRing) {

    public GossipAck {
        states = GossipFields.checkIncreasing("ACK states", states, s -> s.state().id(),
                GossipLimits.MAX_STATES_PER_MESSAGE);
        heartbeats = GossipFields.checkIncreasing("ACK heartbeats", heartbeats, Digest::node, GossipLimits.MAX_NODES);
        wants = GossipFields.checkIncreasing("ACK wants", wants, Digest::node, GossipLimits.MAX_NODES);
    }

    public Message encode() {
        BodyWriter w = new BodyWriter(64 + 100 * states.size() + 16 * (heartbeats.size() + wants.size()));
        w.u8((ring != null ? 1 : 0) | (wantsRing ? 2 : 0));
        if (ring != null) {
            w.bytes(RingStateCodec.encode(ring));
        }
        GossipFields.writeStates(w, states);
        GossipFields.writeDigests(w, heartbeats);
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
        List<SentState> states = GossipFields.readStates(r, "ACK states", held);
        List<Digest> heartbeats = GossipFields.readDigests(r, "ACK heartbeats", GossipLimits.MAX_NODES);
        List<Digest> wants = GossipFields.readDigests(r, "ACK wants", GossipLimits.MAX_NODES);
        r.expectEnd("ACK");
        return GossipFields.construct("ACK", () -> new GossipAck(states, heartbeats, wants, ring, (flags & 2) != 0));
    }
}
