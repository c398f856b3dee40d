package io.chorus.coordinator;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which replicas a read asks, in which order: this node first when it is a replica (a local read costs no round
 * trip), then the others in preference-list order (list order, not nearness: in a zone-aware ring
 * they spread over zones in walk order) among those believed alive, and last the ones believed down (a wrong
 * belief costs latency, and a read that has run out of live replicas has nothing better to ask). Pure: the read
 * takes from it as it needs more replicas.
 *
 * <p>Thread-safety: not thread-safe; {@link ReadRequest} guards it with its monitor.
 */
final class ReadTargets {

    private final List<NodeId> order;
    private int next;

    private ReadTargets(List<NodeId> order) {
        this.order = order;
    }

    static ReadTargets of(List<NodeId> primaries, NodeId self, Predicate<NodeId> alive) {
        List<NodeId> order = new ArrayList<>(primaries.size());
        if (primaries.contains(self)) {
            order.add(self);
        }
        List<NodeId> down = new ArrayList<>();
        for (NodeId replica : primaries) {
            if (replica.equals(self)) {
                continue;
            }
            if (alive.test(replica)) {
                order.add(replica);
            } else {
                down.add(replica);
            }
        }
        order.addAll(down);
        return new ReadTargets(List.copyOf(order));
    }

    /** Every replica, in the order they are asked. */
    List<NodeId> order() {
        return order;
    }

    /** The next {@code count} replicas not asked yet (fewer when fewer are left); they count as asked from now. */
    List<NodeId> take(int count) {
        int end = Math.min(order.size(), next + Math.max(0, count));
        List<NodeId> taken = order.subList(next, end);
        next = end;
        return taken;
    }

    /** Every replica not asked yet; all are asked from now. */
    List<NodeId> takeRest() {
        return take(order.size() - next);
    }

    int asked() {
        return next;
    }

    int remaining() {
        return order.size() - next;
    }
}
