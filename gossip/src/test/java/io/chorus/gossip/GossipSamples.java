package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;

/** Values for codec and exchange tests, one of each shape the encodings have. Stateless. */
final class GossipSamples {

    static final NodeId A = NodeId.of("a");
    static final NodeId B = NodeId.of("b");
    static final NodeId C = NodeId.of("c");

    private GossipSamples() {
    }

    static NodeState starting(NodeId id) {
        return NodeState.starting(id, 1, NodeStatus.UP, "", id + ":9000", id + ":9001");
    }

    /** Every field set to something other than its default, non-ASCII zone included. */
    static NodeState busy() {
        BitSet received = new BitSet();
        received.set(0);
        received.set(9);
        received.set(200);
        return new NodeState(NodeId.of("node-ü"), 7, 300, NodeStatus.LEAVING, "zöne-1", "10.0.0.1:9000",
                "[::1]:9001", 12, 13, received, new TreeSet<>(List.of(B, C)), -42);
    }

    static RingState ring() {
        return RingState.initial(A, 3, Claim.create(List.of(Member.of(A), Member.of(B)), 16));
    }

    /** A moving ring state: done bits, a second ring, a removal. */
    static RingState movingRing() {
        // One replica, so the leaver's partitions move to the others.
        RingState settled = RingState.initial(A, 1, Claim.create(List.of(Member.of(A), Member.of(B), Member.of(C)),
                16));
        RingState moving = settled.commit(A, 1, Claim.leave(settled.to(), C), List.of(C));
        BitSet done = new BitSet();
        done.set(moving.moving().nextSetBit(0));
        RingState partly = moving.markDone(A, done);
        if (partly.settled() || partly.doneBits().isEmpty()) {
            throw new AssertionError("the sample should be moving with a done bit: " + partly);
        }
        return partly;
    }

    static GossipSyn syn() {
        return new GossipSyn("cluster-1", RingDigest.of(ring()),
                List.of(new Digest(A, 1, 5, 3), new Digest(B, 2, 0, 0), new Digest(NodeId.of("node-ü"), 7, 300, 300)));
    }

    static GossipAck ack() {
        return new GossipAck(List.of(new SentState(starting(A), 1), new SentState(busy(), 250)),
                List.of(new Digest(A, 1, 9, 1), new Digest(C, 3, 4, 2)), List.of(Digest.none(B)), movingRing(), true);
    }

    static GossipAck2 ack2() {
        return new GossipAck2("cluster-1", List.of(new SentState(busy(), 300)), List.of(new Digest(A, 1, 2, 1)),
                ring());
    }
}
