package io.chorus.core.causal;

import io.chorus.core.NodeId;
import java.util.Comparator;

/**
 * The writer that stamps dots: a node in one incarnation of its data.
 *
 * <p>A node whose data directory is wiped comes back with a new epoch, so it can never reuse counters it handed
 * out before and make a new write look old (the "doomstone" data loss of riak_kv#679). Immutable.
 */
public record ActorId(NodeId node, long epoch) implements Comparable<ActorId> {

    private static final Comparator<ActorId> ORDER =
            Comparator.comparing(ActorId::node).thenComparingLong(ActorId::epoch);

    public ActorId {
        if (node == null) {
            throw new IllegalArgumentException("actor node must not be null");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("actor epoch must be >= 0, got " + epoch);
        }
    }

    public static ActorId of(String node, long epoch) {
        return new ActorId(NodeId.of(node), epoch);
    }

    @Override
    public int compareTo(ActorId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return node + "#" + epoch;
    }
}
