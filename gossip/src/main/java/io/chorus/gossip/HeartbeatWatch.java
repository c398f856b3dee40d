package io.chorus.gossip;

import io.chorus.core.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * When each node's heartbeat last moved, as one node sees it through successive views: the claimant counts a
 * member toward its majority only if it was heard from lately. The failure detector convicts only after several
 * seconds of silence (it must not convict a node for a lost message or two); a claimant that trusted it alone
 * would still count the far side of a fresh network partition for those seconds. Not thread-safe: one owner.
 */
public final class HeartbeatWatch {

    private record Seen(long heartbeat, long atNanos) {
    }

    private final Map<NodeId, Seen> seen = new HashMap<>();

    /** Records the heartbeats of {@code view}, taken at {@code nowNanos}. */
    public void observe(MembershipView view, long nowNanos) {
        for (NodeId n : view.states().keySet()) {
            long hb = view.heartbeat(n);
            Seen s = seen.get(n);
            if (s == null) {
                // A first sighting proves nothing about now: the state may be old news relayed by a peer.
                seen.put(n, new Seen(hb, Long.MIN_VALUE));
            } else if (s.heartbeat() != hb) {
                seen.put(n, new Seen(hb, nowNanos));
            }
        }
    }

    /** Whether {@code node}'s heartbeat moved within {@code windowNanos} before {@code nowNanos}. */
    public boolean heardWithin(NodeId node, long windowNanos, long nowNanos) {
        Seen s = seen.get(node);
        return s != null && s.atNanos() != Long.MIN_VALUE && nowNanos - s.atNanos() <= windowNanos;
    }
}
