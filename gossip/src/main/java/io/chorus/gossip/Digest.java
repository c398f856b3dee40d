package io.chorus.gossip;

import io.chorus.core.NodeId;
import java.util.Objects;

/**
 * What one node knows of another, in brief: the (generation, version) of the state it holds. Enough to tell who
 * has newer news, since every change of a state takes a greater (generation, version). Immutable.
 */
public record Digest(NodeId node, long generation, long version) {

    public Digest {
        Objects.requireNonNull(node, "node");
        if (generation < 0 || version < 0) {
            throw new IllegalArgumentException("negative generation or version in the digest of " + node);
        }
    }

    public static Digest of(NodeState s) {
        return new Digest(s.id(), s.generation(), s.version());
    }

    /** Whether {@code s} (about the same node) is newer news than what this digest describes. */
    public boolean isOlderThan(NodeState s) {
        return s.generation() > generation || s.generation() == generation && s.version() > version;
    }

    /** Whether this digest describes newer news than {@code s}; true when {@code s} is null (nothing held). */
    public boolean isNewerThan(NodeState s) {
        return s == null || generation > s.generation() || generation == s.generation() && version > s.version();
    }
}
