package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.gossip.Claimant;
import io.chorus.gossip.NodeState;
import io.chorus.gossip.NodeStatus;
import io.chorus.ring.RingState;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Membership for a {@link SimCluster} with perfect, instant gossip: one shared map of node states and one ring
 * state, the real {@link Claimant} on every node each second, and each node's own status rule (JOINING becomes UP
 * once in the target ring). What gossip itself does is tested in the gossip module; this isolates the ring change
 * and handoff logic under a workload and crashes. Confined to the simulation thread.
 */
final class SimMembership {

    private final SimCluster cluster;
    private final Map<NodeId, NodeState> states = new HashMap<>();
    private final Map<NodeId, Claimant> claimants = new HashMap<>();
    /** Every ring state the claimant committed, in order. */
    final List<RingState> commits = new ArrayList<>();

    SimMembership(SimCluster cluster, boolean autoCommit) {
        this.cluster = cluster;
        RingState ring = cluster.ringState();
        for (NodeId id : cluster.ids) {
            // Nodes outside the ring start idle: not joining until a test asks.
            if (ring.to().contains(id)) {
                states.put(id, NodeState.starting(id, 1, NodeStatus.UP, "", id + ":c", id + ":p"));
            }
            claimants.put(id, new Claimant(id, new Claimant.Config(autoCommit, TimeUnit.SECONDS.toNanos(2), 3)));
        }
        tick();
    }

    /** The view of node {@code self}: the shared ring state, liveness by the network's crash state. */
    ClusterMembership forNode(NodeId self) {
        return new ClusterMembership() {
            @Override
            public RingState ring() {
                return cluster.ringState();
            }

            @Override
            public boolean isAlive(NodeId node) {
                return !cluster.isCrashed(node);
            }

            @Override
            public boolean allHaveSeen(long version) {
                return true; // instant gossip
            }

            @Override
            public void publishFinished(long targetId, BitSet partitions) {
                states.put(self, states.get(self).withReceived(targetId, partitions));
            }

            @Override
            public BitSet published(long targetId) {
                NodeState s = states.get(self);
                return s != null && s.handoffVersion() == targetId ? s.received() : new BitSet();
            }
        };
    }

    void join(NodeId node) {
        states.put(node, NodeState.starting(node, 1, NodeStatus.JOINING, "", node + ":c", node + ":p"));
    }

    void leave(NodeId node) {
        states.put(node, states.get(node).withStatus(NodeStatus.LEAVING));
    }

    /** Stages the removal of {@code dead} as asked through {@code via}. */
    void remove(NodeId dead, NodeId via) {
        states.put(via, states.get(via).withRemovals(new TreeSet<>(List.of(dead))));
    }

    private void tick() {
        RingState ring = cluster.ringState();
        long now = cluster.sim.clock().nanoTime();
        for (NodeId id : cluster.ids) {
            NodeState s = states.get(id);
            if (s != null && s.status() == NodeStatus.JOINING && ring.to().contains(id)) {
                states.put(id, s.withStatus(NodeStatus.UP));
            }
        }
        for (NodeId id : cluster.ids) {
            if (cluster.isCrashed(id) || !states.containsKey(id)) {
                continue;
            }
            RingState next = claimants.get(id).step(ring, states, n -> !cluster.isCrashed(n), now);
            if (next != null) {
                if (ring.settled() && !next.settled()) {
                    commits.add(next);
                }
                cluster.setRingState(next);
                ring = next;
            }
        }
        cluster.sim.scheduler().schedule(this::tick, 1, TimeUnit.SECONDS);
    }
}
