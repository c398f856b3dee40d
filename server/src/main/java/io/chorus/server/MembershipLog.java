package io.chorus.server;

import io.chorus.core.NodeId;
import io.chorus.gossip.MembershipView;
import io.chorus.gossip.NodeState;
import io.chorus.gossip.NodeStatus;
import io.chorus.ring.RingState;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per membership event a node sees: a member first heard of, judged down by the failure detector,
 * up again, restarted (a new generation), joining, leaving or removed, and each new ring state. Compares each
 * published view with the last one; runs on the gossip agent, so it keeps its state unsynchronized.
 */
final class MembershipLog implements Consumer<MembershipView> {

    private static final Logger LOG = LoggerFactory.getLogger("io.chorus.membership");

    private record Seen(long generation, NodeStatus status, boolean alive) {
    }

    private final NodeId self;
    private final Map<NodeId, Seen> last = new HashMap<>();
    private RingState ring;

    MembershipLog(NodeId self) {
        this.self = self;
    }

    @Override
    public void accept(MembershipView view) {
        for (Map.Entry<NodeId, NodeState> e : view.states().entrySet()) {
            NodeId node = e.getKey();
            if (node.equals(self)) {
                continue;
            }
            boolean removed = view.isRemoved(node);
            // The status the node gossips (DOWN in a view means convicted, which is liveness, logged apart).
            NodeStatus status = removed ? NodeStatus.REMOVED : e.getValue().status();
            Seen now = new Seen(e.getValue().generation(), status, !removed && view.isAlive(node));
            Seen before = last.put(node, now);
            if (before == null) {
                LOG.info("{}: {} found, {}{}", self, node, lower(now.status()), now.alive() ? "" : ", not heard yet");
                continue;
            }
            if (now.generation() != before.generation()) {
                LOG.info("{}: {} restarted (generation {})", self, node, now.generation());
            }
            if (now.status() != before.status()) {
                LOG.info("{}: {} is now {}", self, node, lower(now.status()));
            }
            if (removed) {
                continue;
            }
            if (before.alive() && !now.alive()) {
                LOG.info("{}: {} is down: convicted by the failure detector", self, node);
            } else if (!before.alive() && now.alive()) {
                LOG.info("{}: {} is up: heard from again", self, node);
            }
        }
        RingState r = view.ring();
        if (r != null && (ring == null || r.version() != ring.version())) {
            if (r.settled()) {
                LOG.info("{}: ring state {}: {} members, settled", self, r.version(), r.to().size());
            } else {
                LOG.info("{}: ring state {}: {} -> {} members, {} partitions moving", self, r.version(),
                        r.from().size(), r.to().size(), r.moving().cardinality());
            }
            ring = r;
        }
    }

    private static String lower(NodeStatus status) {
        return status.name().toLowerCase(java.util.Locale.ROOT);
    }
}
