package io.chorus.gossip;

import io.chorus.core.NodeId;
import java.util.Objects;

/**
 * What one node knows of another, in brief: the generation it holds, the latest heartbeat {@link #version} it
 * heard in it, and the {@link #contentVersion} at which the content it holds (everything in the state but the
 * version) was made. Two orders follow from it, kept apart on purpose: content is newer by (generation, content
 * version), liveness by (generation, version). A node's heartbeats bump its version every round, its content
 * changes seldom; liveness then spreads as bare digests, and a node still waiting for a new content keeps hearing
 * that its owner is alive. Immutable.
 *
 * <p>{@code (0, 0, 0)} in a request for states means "nothing held".
 *
 * @param contentVersion in {@code [0, version]}
 */
public record Digest(NodeId node, long generation, long version, long contentVersion) {

    public Digest {
        Objects.requireNonNull(node, "node");
        if (generation < 0 || version < 0) {
            throw new IllegalArgumentException("negative generation or version in the digest of " + node);
        }
        if (contentVersion < 0 || contentVersion > version) {
            throw new IllegalArgumentException("content version " + contentVersion + " of " + node + " outside [0, "
                    + version + "]");
        }
    }

    /** The request for whatever the other side holds of {@code node}. */
    public static Digest none(NodeId node) {
        return new Digest(node, 0, 0, 0);
    }

    public boolean isNone() {
        return generation == 0 && version == 0 && contentVersion == 0;
    }

    /** Whether this digest's content is newer than {@code other}'s (of the same node). */
    public boolean contentNewerThan(Digest other) {
        return generation > other.generation
                || generation == other.generation && contentVersion > other.contentVersion;
    }

    /** Whether this digest heard a later heartbeat than {@code other} in the same generation. */
    public boolean aliveLaterThan(Digest other) {
        return generation == other.generation && version > other.version;
    }
}
