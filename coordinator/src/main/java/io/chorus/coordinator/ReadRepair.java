package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plans read repair, apart from doing it (as Voldemort's {@code ReadRepairer.getRepairs}): given a read's replies
 * and their merge, the replicas whose reply does not already include the merged state. Replicas that did not
 * reply are not planned for: nothing is known of them, and anti-entropy covers them. Stateless.
 */
final class ReadRepair {

    private ReadRepair() {
    }

    /** In the replies' order. */
    static List<NodeId> staleReplicas(SiblingSet merged, Map<NodeId, SiblingSet> replies) {
        List<NodeId> stale = new ArrayList<>();
        replies.forEach((replica, reply) -> {
            if (!reply.includes(merged)) {
                stale.add(replica);
            }
        });
        return stale;
    }
}
