package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.ring.RingState;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One node's membership as its {@link Gossiper} last published it: every node state it holds (seed ids that no
 * real node has taken never appear), the ring state it holds, and its failure detector's verdicts at publication.
 * A peer's state is the last one taken in full, which changes only with its content (status, ring version, received
 * partitions, removals, commit token); its heartbeats move {@link #heartbeat} and are published once a round, as is
 * this node's own state. Anything else (a new node, a new content, a conviction, a return, a new ring state) is
 * published at once.
 *
 * <p>Removed nodes ({@link RingState#removed()}) are REMOVED whatever they gossip, never alive. This node itself is
 * always alive (unless removed). Immutable and thread-safe: read it from any thread.
 */
public final class MembershipView {

    private final NodeId self;
    /** Sorted; shared with other views and never modified (see NodeTable). */
    private final NodeId[] ids;
    /** The last state taken in full of each node, aligned with {@link #ids}: this view's own copy. */
    private final NodeState[] contents;
    /** The latest heartbeat heard of each node, aligned with {@link #ids}. */
    private final long[] heartbeats;
    private final RingState ring;
    private final Set<NodeId> down;
    private final long publishedAtNanos;

    MembershipView(NodeId self, NodeId[] ids, NodeState[] contents, long[] heartbeats, RingState ring,
            Set<NodeId> down, long publishedAtNanos) {
        this.self = Objects.requireNonNull(self, "self");
        this.ids = ids;
        this.contents = contents;
        this.heartbeats = heartbeats;
        this.ring = ring;
        this.down = Set.copyOf(down);
        this.publishedAtNanos = publishedAtNanos;
        if (ids.length != contents.length || ids.length != heartbeats.length || indexOf(self) < 0) {
            throw new IllegalArgumentException("a view holds a state for each id, its own node's among them");
        }
    }

    public NodeId self() {
        return self;
    }

    public NodeState selfState() {
        return state(self);
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

    /**
     * The latest state of {@code node} taken in full, or null if none: its latest content, at the version it came
     * with. Heartbeats since then move {@link #heartbeat}, not this (this node's own state is its current one).
     */
    public NodeState state(NodeId node) {
        int i = indexOf(node);
        return i < 0 ? null : contents[i];
    }

    /** Where {@code node} is in the sorted ids, or a negative number: a binary search, no index to build. */
    private int indexOf(NodeId node) {
        return Arrays.binarySearch(ids, Objects.requireNonNull(node, "node"));
    }

    /** The latest heartbeat version heard of {@code node} in the generation held, or -1 if it is not known. */
    public long heartbeat(NodeId node) {
        int i = indexOf(node);
        return i < 0 ? -1 : heartbeats[i];
    }

    /** Every node state held, self included, removed nodes included, by id. */
    public SortedMap<NodeId, NodeState> states() {
        SortedMap<NodeId, NodeState> out = new TreeMap<>();
        for (int i = 0; i < ids.length; i++) {
            out.put(ids[i], contents[i]);
        }
        return out;
    }

    /** Whether a state is held for {@code node}. */
    public boolean knows(NodeId node) {
        return indexOf(node) >= 0;
    }

    /** How many node states are held, self included. */
    public int size() {
        return ids.length;
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
        return node.equals(self) || indexOf(node) >= 0 && !down.contains(node);
    }

    /**
     * REMOVED for a removed node, DOWN for a convicted one, else the status it gossips; null for a node neither
     * known nor removed.
     */
    public NodeStatus status(NodeId node) {
        if (isRemoved(node)) {
            return NodeStatus.REMOVED;
        }
        int i = indexOf(node);
        if (i < 0) {
            return null;
        }
        return down.contains(node) && !node.equals(self) ? NodeStatus.DOWN : contents[i].status();
    }

    /** Every known node, self included, by id. */
    public SortedSet<NodeId> members() {
        return new TreeSet<>(Arrays.asList(ids));
    }

    /** The known nodes that are alive (see {@link #isAlive}), self included, by id. */
    public SortedSet<NodeId> liveMembers() {
        SortedSet<NodeId> out = new TreeSet<>();
        for (NodeId n : ids) {
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
        return "MembershipView[" + self + ": " + ids.length + " known, " + down.size() + " down, ring "
                + (ring == null ? "none" : "v" + ring.version()) + "]";
    }
}
