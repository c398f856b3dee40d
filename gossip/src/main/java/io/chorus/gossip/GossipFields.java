package io.chorus.gossip;

import io.chorus.core.codec.BodyWriter;
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

    /** The fewest bytes a digest takes: a 1-byte name with its length, three 1-byte varints. */
    private static final int MIN_DIGEST_BYTES = 5;
    /** The fewest bytes a sent state takes (every string and the bit set empty but the id, its content version). */
    private static final int MIN_STATE_BYTES = 15;

    private GossipFields() {
    }

    /** Each {@code node:string generation:varint version:varint contentAge:varint}, age = version - contentVersion. */
    static void writeDigests(BodyWriter w, List<Digest> digests) {
        w.varint(digests.size());
        for (Digest d : digests) {
            w.string(d.node().name()).varint(d.generation()).varint(d.version())
                    .varint(d.version() - d.contentVersion());
        }
    }

    static List<Digest> readDigests(ByteReader r, String what, int max) {
        int count = r.count(what + " count", MIN_DIGEST_BYTES);
        if (count > max) {
            throw new MalformedEncodingException(what + " count " + count + " over the maximum " + max);
        }
        // Labels made once per list, not per entry: they name what failed to decode.
        String node = what + " node";
        String generation = what + " generation";
        String version = what + " version";
        String age = what + " content age";
        List<Digest> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            NodeId id = NodeStateCodec.nodeId(r, node);
            long g = r.varlong(generation, 0, Long.MAX_VALUE);
            long v = r.varlong(version, 0, Long.MAX_VALUE);
            out.add(new Digest(id, g, v, v - r.varlong(age, 0, v)));
        }
        // The order is checked by the message's constructor (see construct).
        return out;
    }

    /** Each {@code state contentVersion:varint}. */
    static void writeStates(BodyWriter w, List<SentState> states) {
        w.varint(states.size());
        for (SentState s : states) {
            NodeStateCodec.write(w, s.state());
            w.varint(s.contentVersion());
        }
    }

    static List<SentState> readStates(ByteReader r, String what, Function<NodeId, NodeState> held) {
        int count = r.count(what + " count", MIN_STATE_BYTES);
        if (count > GossipLimits.MAX_STATES_PER_MESSAGE) {
            throw new MalformedEncodingException(what + " count " + count + " over the maximum "
                    + GossipLimits.MAX_STATES_PER_MESSAGE);
        }
        String since = what + " content version";
        List<SentState> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            NodeState s = NodeStateCodec.read(r, held);
            long contentVersion = r.varlong(since, 0, s.version());
            out.add(new SentState(s, contentVersion));
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

    /** Builds a decoded message; a rule its constructor checks across fields is broken bytes, not a bug. */
    static <T> T construct(String what, java.util.function.Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(what + ": " + e.getMessage());
        }
    }

    /**
     * Lists are in strictly increasing id order, so each list has one encoding and no node appears twice. Checked
     * by the messages' constructors, so an encoder cannot write what a decoder refuses, and a decoder refuses it
     * through {@link #construct}.
     */
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
