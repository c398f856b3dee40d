package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.ring.RingState;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One node's membership as its {@link Gossiper} last published it: every node state it holds (seed ids that no
 * real node has taken never appear), the ring state it holds, and its failure detector's verdicts at publication.
 * Heartbeat-only changes of a state (a version bump with nothing else new) are published once a round; anything
 * else (a new node, a changed status or ring version, a conviction, a return, a new ring state) at once.
 *
 * <p>Removed nodes ({@link RingState#removed()}) are REMOVED whatever they gossip, never alive. This node itself is
 * always alive (unless removed). Immutable and thread-safe: read it from any thread.
 */
public final class MembershipView {

    private final NodeId self;
    private final Map<NodeId, NodeState> states;
    private final RingState ring;
    private final Set<NodeId> down;
    private final long publishedAtNanos;

    MembershipView(NodeId self, Map<NodeId, NodeState> states, RingState ring, Set<NodeId> down,
            long publishedAtNanos) {
        this.self = Objects.requireNonNull(self, "self");
        this.states = Map.copyOf(states);
        this.ring = ring;
        this.down = Set.copyOf(down);
        this.publishedAtNanos = publishedAtNanos;
        if (!this.states.containsKey(self)) {
            throw new IllegalArgumentException("a view holds its own node's state");
        }
    }

    public NodeId self() {
        return self;
    }

    public NodeState selfState() {
        return states.get(self);
    }

    /** The ring state this node holds; null before it has one. */
    public RingState ring() {
        return ring;
    }

    /** The held ring state's version, 0 before there is one. */
    public long ringVersion() {
        return ring == null ? 0 : ring.version();
    }

    /** The clock's nanos when the agent published this view. */
    public long publishedAtNanos() {
        return publishedAtNanos;
    }

    /** The state held for {@code node}, or null if none. */
    public NodeState state(NodeId node) {
        return states.get(node);
    }

    /** Every node state held, self included, removed nodes included, by id. */
    public SortedMap<NodeId, NodeState> states() {
        return new TreeMap<>(states);
    }

    /** Whether a state is held for {@code node}. */
    public boolean knows(NodeId node) {
        return states.containsKey(node);
    }

    /** How many node states are held, self included. */
    public int size() {
        return states.size();
    }

    public boolean isRemoved(NodeId node) {
        return ring != null && ring.removed().contains(node);
    }

    /** Whether the ring state says this node itself was removed: the node should stop. */
    public boolean selfRemoved() {
        return isRemoved(self);
    }

    /**
     * The failure detector's verdict: true for this node itself and for every known, not removed node that is not
     * convicted; false for convicted, removed and unknown nodes.
     */
    public boolean isAlive(NodeId node) {
        if (isRemoved(node)) {
            return false;
        }
        return node.equals(self) || states.containsKey(node) && !down.contains(node);
    }

    /**
     * REMOVED for a removed node, DOWN for a convicted one, else the status it gossips; null for a node neither
     * known nor removed.
     */
    public NodeStatus status(NodeId node) {
        if (isRemoved(node)) {
            return NodeStatus.REMOVED;
        }
        NodeState s = states.get(node);
        if (s == null) {
            return null;
        }
        return down.contains(node) && !node.equals(self) ? NodeStatus.DOWN : s.status();
    }

    /** Every known node, self included, by id. */
    public SortedSet<NodeId> members() {
        return new TreeSet<>(states.keySet());
    }

    /** The known nodes that are alive (see {@link #isAlive}), self included, by id. */
    public SortedSet<NodeId> liveMembers() {
        SortedSet<NodeId> out = new TreeSet<>();
        for (NodeId n : states.keySet()) {
            if (isAlive(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** The known, not removed nodes the failure detector convicted, by id. */
    public SortedSet<NodeId> downMembers() {
        SortedSet<NodeId> out = new TreeSet<>();
        for (NodeId n : down) {
            if (!isRemoved(n)) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "MembershipView[" + self + ": " + states.size() + " known, " + down.size() + " down, ring "
                + (ring == null ? "none" : "v" + ring.version()) + "]";
    }
}
