package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import java.util.List;
import java.util.Map;

/**
 * What committing the staged changes would do: the ring it makes from the settled one, which partitions change
 * owner, and which replicas receive a partition. Pure data; {@link Claimant#plan} computes it the same way on
 * every node that holds the same view, and {@link #token} names it, so a commit asked for on one node is carried
 * out by the claimant only if it plans the same thing.
 *
 * @param baseVersion the ring-state version the plan starts from
 * @param next        the ring a commit makes (null when there is nothing to do or the plan is impossible)
 * @param ownershipMoves partitions whose owner changes
 * @param transfers   per node, how many partitions it would receive (replica moves for the cluster's N)
 * @param problem     why the plan cannot be committed (null when it can)
 */
public record Plan(long baseVersion, List<Change> changes, Ring next, int ownershipMoves,
        Map<NodeId, Integer> transfers, long token, String problem) {

    public Plan {
        changes = List.copyOf(changes);
        transfers = Map.copyOf(transfers);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public boolean committable() {
        return !changes.isEmpty() && problem == null && next != null;
    }


    static Plan nothing(RingState base) {
        return new Plan(base.version(), List.of(), null, 0, Map.of(), 0, null);
    }
}
