package io.chorus.gossip;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node states an agent holds, in id order. Per node: the last state taken in full (its content), the version at
 * which that content was made, and the latest heartbeat version heard in its generation, which moves without the
 * content (see {@link Digest}): no new state object per heartbeat, and liveness keeps flowing while a new content is
 * on its way.
 *
 * <p>Built for cheap snapshots: the sorted ids are rebuilt only when new nodes arrive (and then shared by every view
 * until the next arrival), so a snapshot is a copy of two arrays. Not thread-safe: the agent's state.
 */
final class NodeTable {

    /** What taking a state or heartbeat changed. */
    enum Take {
        /** Nothing newer. */
        NOTHING,
        /** Only a later heartbeat. */
        ALIVE,
        /** A new node, generation or content (a later heartbeat or not). */
        CONTENT
    }

    /** One node's slot, updated in place. */
    static final class Entry {
        final NodeId id;
        /** The last state taken in full (for this node itself, its current state). */
        NodeState content;
        long generation;
        /** The version at which {@link #content} was made, exactly: its owner said so. */
        long contentVersion;
        /** The latest heartbeat version heard in {@link #generation}; at least the content's own version. */
        long heartbeat;
        /** When the agent last heard a later heartbeat (its clock's nanos); 0 before any. */
        long lastHeardNanos;

        Entry(SentState s) {
            this.id = s.state().id();
            replace(s);
        }

        private void replace(SentState s) {
            content = s.state();
            generation = content.generation();
            contentVersion = s.contentVersion();
            heartbeat = content.version();
        }

        NodeState state() {
            return content;
        }

        SentState sent() {
            return new SentState(content, contentVersion);
        }

        Digest digest() {
            return new Digest(id, generation, heartbeat, contentVersion);
        }

        /** Whether the heartbeat runs ahead of the content's version: a full state alone would not tell it. */
        boolean heartbeatAhead() {
            return heartbeat > content.version();
        }
    }

    private final Map<NodeId, Entry> entries = new HashMap<>();
    private final List<Entry> arrived = new ArrayList<>();
    private Entry[] sorted = new Entry[0];
    private NodeId[] ids = new NodeId[0];

    int size() {
        return entries.size();
    }

    Entry entry(NodeId id) {
        return entries.get(id);
    }

    /** The last state of {@code id} taken in full, or null: for decoders to share its strings. */
    NodeState content(NodeId id) {
        Entry e = entries.get(id);
        return e == null ? null : e.content;
    }

    /**
     * This node's own state, newer than the one held: a heartbeat when only the version moved, else a new content
     * made at its version. Returns whether the content changed.
     */
    boolean putOwn(NodeState s) {
        Entry e = entries.get(s.id());
        if (e == null) {
            take(SentState.fresh(s));
            return true;
        }
        boolean same = s.sameContentAs(e.content);
        // Its own state is held as it is now, heartbeats included: it is what goes out in full.
        e.content = s;
        e.generation = s.generation();
        e.heartbeat = s.version();
        if (!same) {
            e.contentVersion = s.version();
        }
        return !same;
    }

    /**
     * Takes {@code s} if it is newer: a newer generation, or a newer content in the same one (a state of the same or
     * an older content only tells a later heartbeat, if its version is later).
     */
    Take take(SentState s) {
        NodeState state = s.state();
        Entry e = entries.get(state.id());
        if (e == null) {
            e = new Entry(s);
            entries.put(state.id(), e);
            arrived.add(e);
            return Take.CONTENT;
        }
        if (state.generation() != e.generation) {
            if (state.generation() < e.generation) {
                return Take.NOTHING;
            }
            e.replace(s);
            return Take.CONTENT;
        }
        boolean later = state.version() > e.heartbeat;
        if (later) {
            e.heartbeat = state.version();
        }
        if (s.contentVersion() > e.contentVersion) {
            e.content = state;
            e.contentVersion = s.contentVersion();
            return Take.CONTENT;
        }
        return later ? Take.ALIVE : Take.NOTHING;
    }

    /** Takes the heartbeat of {@code d} if it is later, in the generation held; returns whether it was. */
    boolean heartbeat(Digest d) {
        Entry e = entries.get(d.node());
        if (e == null || d.generation() != e.generation || d.version() <= e.heartbeat) {
            return false;
        }
        e.heartbeat = d.version();
        return true;
    }

    /** Every entry in id order; the array is the table's own, valid until the next node is added. */
    Entry[] inOrder() {
        if (!arrived.isEmpty()) {
            mergeArrivals();
        }
        return sorted;
    }

    private void mergeArrivals() {
        Comparator<Entry> byId = Comparator.comparing((Entry e) -> e.id);
        arrived.sort(byId);
        Entry[] next = new Entry[sorted.length + arrived.size()];
        int i = 0;
        int j = 0;
        for (int k = 0; k < next.length; k++) {
            next[k] = j == arrived.size() || i < sorted.length && byId.compare(sorted[i], arrived.get(j)) < 0
                    ? sorted[i++] : arrived.get(j++);
        }
        arrived.clear();
        sorted = next;
        ids = new NodeId[next.length];
        for (int k = 0; k < next.length; k++) {
            ids[k] = next[k].id;
        }
    }

    /** The ids in order, shared by snapshots: never modified once built. */
    NodeId[] ids() {
        inOrder();
        return ids;
    }

    /** The contents in the order of {@link #ids()}: a fresh array. */
    NodeState[] contents() {
        Entry[] in = inOrder();
        NodeState[] out = new NodeState[in.length];
        for (int k = 0; k < in.length; k++) {
            out[k] = in[k].content;
        }
        return out;
    }

    /** The latest heartbeats in the order of {@link #ids()}: a fresh array. */
    long[] heartbeats() {
        Entry[] in = inOrder();
        long[] out = new long[in.length];
        for (int k = 0; k < in.length; k++) {
            out[k] = in[k].heartbeat;
        }
        return out;
    }
}
