package io.chorus.gossip;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import java.util.BitSet;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The binary form of a {@link NodeState}, as ACK and ACK2 carry it:
 *
 * <pre>
 * state = id:string generation:varint version:varint status:u8 zone:string clientAddress:string
 *         peerAddress:string ringVersion:varint handoffVersion:fixed64 received:bytes
 *         removalCount:varint removal:string*      strictly increasing
 *         commitToken:varint
 * </pre>
 *
 * {@code status} is 1 JOINING, 2 UP, 3 LEAVING, 4 REMOVED (codes, not ordinals, so reordering the enum cannot
 * change the wire; DOWN is a local verdict and has none). {@code received} is the little-endian bit set
 * ({@link BitSet#toByteArray()}) without trailing zero bytes. generation, version and ringVersion are
 * {@code 0..2^63-1}; {@code handoffVersion} (a hash naming a ring change) and {@code commitToken} any 64-bit
 * value. Canonical: each state has exactly one encoding,
 * and the decoder rejects every other (trailing zero bytes, unsorted or repeated removals, unknown status codes).
 * Stateless.
 */
public final class NodeStateCodec {

    private NodeStateCodec() {
    }

    public static byte[] encode(NodeState s) {
        BodyWriter w = new BodyWriter(96);
        write(w, s);
        return w.toArray();
    }

    /** Decodes exactly one state; trailing bytes are rejected. */
    public static NodeState decode(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        NodeState s = read(r, id -> null);
        r.expectEnd("node state");
        return s;
    }

    static void write(BodyWriter w, NodeState s) {
        w.string(s.id().name()).varint(s.generation()).varint(s.version()).u8(statusCode(s.status()))
                .string(s.zone()).string(s.clientAddress()).string(s.peerAddress())
                .varint(s.ringVersion()).fixed64(s.handoffVersion()).bytes(s.received().toByteArray())
                .varint(s.removals().size());
        for (NodeId n : s.removals()) {
            w.string(n.name());
        }
        w.varint(s.commitToken());
    }

    /**
     * Reads one state. {@code held} gives the state this node already holds for an id (or null): its strings are
     * reused when the bytes spell them, so a node holding a thousand peers does not keep a thousand copies of each
     * address it keeps hearing again.
     */
    static NodeState read(ByteReader r, Function<NodeId, NodeState> held) {
        NodeId id = nodeId(r, "node state id");
        NodeState known = held.apply(id);
        if (known != null) {
            id = known.id();
        }
        long generation = r.varlong("node state generation", 0, Long.MAX_VALUE);
        long version = r.varlong("node state version", 0, Long.MAX_VALUE);
        NodeStatus status = status(r.u8("node state status"));
        String zone = r.utf8("node state zone", GossipLimits.MAX_ZONE_BYTES, known == null ? null : known.zone());
        String client = r.utf8("node state client address", GossipLimits.MAX_ADDRESS_BYTES,
                known == null ? null : known.clientAddress());
        String peer = r.utf8("node state peer address", GossipLimits.MAX_ADDRESS_BYTES,
                known == null ? null : known.peerAddress());
        long ringVersion = r.varlong("node state ring version", 0, Long.MAX_VALUE);
        long handoffVersion = r.fixed64("node state handoff version");
        byte[] bits = r.bytes("node state received", GossipLimits.MAX_RECEIVED_BYTES);
        if (bits.length > 0 && bits[bits.length - 1] == 0) {
            throw new MalformedEncodingException("node state received: trailing zero byte (not canonical)");
        }
        int count = r.count("node state removal count", 2);
        SortedSet<NodeId> removals = count == 0 ? Collections.emptySortedSet() : new TreeSet<>();
        NodeId last = null;
        for (int i = 0; i < count; i++) {
            NodeId n = nodeId(r, "node state removal");
            if (last != null && last.compareTo(n) >= 0) {
                throw new MalformedEncodingException("node state removals not strictly increasing at " + i);
            }
            removals.add(n);
            last = n;
        }
        long commitToken = r.varlong("node state commit token");
        try {
            return new NodeState(id, generation, version, status, zone, client, peer, ringVersion, handoffVersion,
                    BitSet.valueOf(bits), removals, commitToken);
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException("node state of " + id + ": " + e.getMessage());
        }
    }

    static NodeId nodeId(ByteReader r, String what) {
        return toNodeId(r.utf8(what, NodeId.MAX_UTF8_LENGTH), what);
    }

    static NodeId toNodeId(String name, String what) {
        try {
            return NodeId.of(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(what + ": " + e.getMessage());
        }
    }

    static int statusCode(NodeStatus status) {
        return switch (status) {
            case JOINING -> 1;
            case UP -> 2;
            case LEAVING -> 3;
            case REMOVED -> 4;
            case DOWN -> throw new IllegalArgumentException("DOWN is never gossiped");
        };
    }

    static NodeStatus status(int code) {
        return switch (code) {
            case 1 -> NodeStatus.JOINING;
            case 2 -> NodeStatus.UP;
            case 3 -> NodeStatus.LEAVING;
            case 4 -> NodeStatus.REMOVED;
            default -> throw new MalformedEncodingException("node state status " + code + " is not 1..4");
        };
    }
}
