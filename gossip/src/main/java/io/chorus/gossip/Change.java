package io.chorus.gossip;

import io.chorus.core.NodeId;

/** One staged membership change, as a plan lists it. */
public record Change(Kind kind, NodeId node) implements Comparable<Change> {

    public enum Kind { JOIN, LEAVE, REMOVE }

    @Override
    public int compareTo(Change o) {
        int c = node.compareTo(o.node);
        return c != 0 ? c : kind.compareTo(o.kind);
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + node;
    }
}
