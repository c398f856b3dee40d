package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The parts the gossip messages share: lists of digests and states in id order, and a ring state. Stateless. */
final class GossipFields {

    /** The fewest bytes a digest takes: a 1-byte name with its length, two 1-byte varints. */
    private static final int MIN_DIGEST_BYTES = 4;
    /** The fewest bytes a state takes (every string and the bit set empty but the id). */
    private static final int MIN_STATE_BYTES = 14;

    private GossipFields() {
    }

    static void writeDigests(BodyWriter w, List<Digest> digests) {
        w.varint(digests.size());
        for (Digest d : digests) {
            w.string(d.node().name()).varint(d.generation()).varint(d.version());
        }
    }

    static List<Digest> readDigests(ByteReader r, String what, int max) {
        int count = r.count(what + " count", MIN_DIGEST_BYTES);
        if (count > max) {
            throw new MalformedEncodingException(what + " count " + count + " over the maximum " + max);
        }
        List<Digest> out = new ArrayList<>(count);
        NodeId last = null;
        for (int i = 0; i < count; i++) {
            NodeId node = NodeStateCodec.nodeId(r, what + " node");
            long generation = r.varlong(what + " generation", 0, Long.MAX_VALUE);
            long version = r.varlong(what + " version", 0, Long.MAX_VALUE);
            last = increasing(what, last, node, i);
            out.add(new Digest(node, generation, version));
        }
        return out;
    }

    static void writeStates(BodyWriter w, List<NodeState> states) {
        w.varint(states.size());
        for (NodeState s : states) {
            NodeStateCodec.write(w, s);
        }
    }

    static List<NodeState> readStates(ByteReader r, String what, Function<NodeId, NodeState> held) {
        int count = r.count(what + " count", MIN_STATE_BYTES);
        if (count > GossipLimits.MAX_STATES_PER_MESSAGE) {
            throw new MalformedEncodingException(what + " count " + count + " over the maximum "
                    + GossipLimits.MAX_STATES_PER_MESSAGE);
        }
        List<NodeState> out = new ArrayList<>(count);
        NodeId last = null;
        for (int i = 0; i < count; i++) {
            NodeState s = NodeStateCodec.read(r, held);
            last = increasing(what, last, s.id(), i);
            out.add(s);
        }
        return out;
    }

    static RingState readRing(ByteReader r, String what) {
        byte[] bytes = r.bytes(what, GossipLimits.MAX_RING_STATE_BYTES);
        try {
            return RingStateCodec.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(what + ": " + e.getMessage());
        }
    }

    /** Lists are in strictly increasing id order, so each list has one encoding and no node appears twice. */
    private static NodeId increasing(String what, NodeId last, NodeId next, int index) {
        if (last != null && last.compareTo(next) >= 0) {
            throw new MalformedEncodingException(what + " not in strictly increasing node order at " + index);
        }
        return next;
    }

    /** Checks the same order on a list being built, so an encoder cannot write what the decoder would refuse. */
    static <T> List<T> checkIncreasing(String what, List<T> items, Function<T, NodeId> id, int max) {
        if (items.size() > max) {
            throw new IllegalArgumentException(what + ": " + items.size() + " entries, over the maximum " + max);
        }
        for (int i = 1; i < items.size(); i++) {
            if (id.apply(items.get(i - 1)).compareTo(id.apply(items.get(i))) >= 0) {
                throw new IllegalArgumentException(what + " not in strictly increasing node order at " + i);
            }
        }
        return List.copyOf(items);
    }
}
