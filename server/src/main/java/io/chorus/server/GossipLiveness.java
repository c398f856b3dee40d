package io.chorus.server;

import io.chorus.coordinator.FailureDetectingLiveness;
import io.chorus.coordinator.Liveness;
import io.chorus.core.NodeId;
import java.util.function.Supplier;
import io.chorus.gossip.MembershipView;

/**
 * The coordinator's liveness on a gossiping node: a node is worth sending to while the failure detector does not
 * convict it and requests to it have not failed several times in a row. Gossip notices a silent node within
 * seconds even when no request goes its way; request outcomes notice at once a node that gossips but does not
 * answer (its event loop stuck, a one-way partition). Thread-safe.
 */
final class GossipLiveness implements Liveness {

    private final Supplier<MembershipView> view;
    private final FailureDetectingLiveness outcomes = new FailureDetectingLiveness();

    GossipLiveness(Supplier<MembershipView> view) {
        this.view = view;
    }

    @Override
    public boolean isAlive(NodeId node) {
        MembershipView v = view.get();
        // A node gossip has not heard of yet (a seed's address, a member just joined) gets the benefit of the doubt.
        boolean gossipSays = v == null || !v.knows(node) || v.isAlive(node);
        return gossipSays && outcomes.isAlive(node);
    }

    @Override
    public void onSuccess(NodeId node) {
        outcomes.onSuccess(node);
    }

    @Override
    public void onFailure(NodeId node) {
        outcomes.onFailure(node);
    }
}
