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
 * GOSSIP_ACK2, the last message of an exchange: what the ACK asked for (what the initiator holds newer than the
 * ACK's wants, as full states and heartbeats, as in {@link GossipAck}) and its ring state if asked. The reply is an
 * empty body.
 *
 * <pre>
 * ACK2 = cluster:string  hasRing:u8  [ring:bytes]  stateCount:varint (state contentVersion:varint) * stateCount
 *        heartbeatCount:varint digest * heartbeatCount
 * </pre>
 *
 * It names the cluster again, as the SYN does: it is a request of its own, and the receiver merges what it carries
 * only when the name is its own, whatever the sender did before. States and heartbeats each in strictly increasing
 * id order; at most {@link GossipLimits#MAX_STATES_PER_MESSAGE} states and {@link GossipLimits#MAX_NODES}
 * heartbeats. Immutable.
 *
 * @param ring the initiator's ring state, or null
 */
public record GossipAck2(String cluster, List<SentState> states, List<Digest> heartbeats, RingState ring) {

    public GossipAck2 {
        GossipSyn.checkCluster(cluster);
        states = GossipFields.checkIncreasing("ACK2 states", states, s -> s.state().id(),
                GossipLimits.MAX_STATES_PER_MESSAGE);
        heartbeats = GossipFields.checkIncreasing("ACK2 heartbeats", heartbeats, Digest::node,
                GossipLimits.MAX_NODES);
    }

    /** Whether it carries nothing at all: then it is not sent. */
    boolean isEmpty() {
        return states.isEmpty() && heartbeats.isEmpty() && ring == null;
    }

    public Message encode() {
        BodyWriter w = new BodyWriter(32 + 100 * states.size() + 16 * heartbeats.size());
        w.string(cluster);
        if (ring == null) {
            w.u8(0);
        } else {
            w.u8(1).bytes(RingStateCodec.encode(ring));
        }
        GossipFields.writeStates(w, states);
        GossipFields.writeDigests(w, heartbeats);
        return Message.adopt(GossipOpcodes.GOSSIP_ACK2, w.toArray());
    }

    public static GossipAck2 decode(byte[] body) {
        return decode(body, id -> null);
    }

    /** {@code held} as in {@link GossipAck#decode(byte[], Function)}. */
    static GossipAck2 decode(byte[] body, Function<NodeId, NodeState> held) {
        ByteReader r = new ByteReader(body);
        String cluster = r.utf8("ACK2 cluster", GossipLimits.MAX_CLUSTER_NAME_BYTES);
        int hasRing = r.u8("ACK2 ring flag");
        if (hasRing > 1) {
            throw new MalformedEncodingException("ACK2 ring flag " + hasRing + " is not 0 or 1");
        }
        RingState ring = hasRing == 1 ? GossipFields.readRing(r, "ACK2 ring state") : null;
        List<SentState> states = GossipFields.readStates(r, "ACK2 states", held);
        List<Digest> heartbeats = GossipFields.readDigests(r, "ACK2 heartbeats", GossipLimits.MAX_NODES);
        r.expectEnd("ACK2");
        return GossipFields.construct("ACK2", () -> new GossipAck2(cluster, states, heartbeats, ring));
    }
}
