package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.transport.Transport;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import io.chorus.testkit.Simulation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * A cluster of gossip agents on a simulated network: node {@code i} is {@code n000i}, the first {@code seedCount}
 * nodes are everyone's seeds, and node 0 alone starts with a ring state (a ring of itself); the others start with
 * nothing but their own state. Each agent draws from its own Random, seeded from the simulation's. Confined to the
 * simulation thread.
 */
final class SimGossipCluster {

    static final String CLUSTER = "test-cluster";
    static final int PARTITIONS = 256;

    final Simulation sim;
    final List<NodeId> ids = new ArrayList<>();
    final List<NodeId> seeds;
    final RingState initialRing;
    private final GossipConfig config;
    private final Map<NodeId, Gossiper> agents = new HashMap<>();
    private final Map<NodeId, Long> generations = new HashMap<>();
    private final Function<NodeId, Scheduler> schedulers;

    SimGossipCluster(Simulation sim, int n, int seedCount, GossipConfig config) {
        this(sim, n, seedCount, config, id -> sim.scheduler());
    }

    SimGossipCluster(Simulation sim, int n, int seedCount, GossipConfig config,
            Function<NodeId, Scheduler> schedulers) {
        this.sim = sim;
        this.config = config;
        this.schedulers = schedulers;
        int width = Math.max(4, String.valueOf(n - 1).length());
        for (int i = 0; i < n; i++) {
            ids.add(NodeId.of("n" + "0".repeat(width - String.valueOf(i).length()) + i));
        }
        this.seeds = List.copyOf(ids.subList(0, seedCount));
        this.initialRing = RingState.initial(ids.get(0), 3, Claim.create(List.of(Member.of(ids.get(0))), PARTITIONS));
        for (NodeId id : ids) {
            generations.put(id, 1L);
            Gossiper g = build(id, 1, id.equals(ids.get(0)) ? initialRing : null, sim.network().transport(id));
            agents.put(id, g);
        }
    }

    private Gossiper build(NodeId id, long generation, RingState ring, Transport transport) {
        NodeState self = NodeState.starting(id, generation, NodeStatus.UP, "", id + ":9000", id + ":9001");
        Gossiper g = new Gossiper(self, ring, seeds, CLUSTER, transport, schedulers.apply(id), sim.clock(), config,
                new Random(sim.random().nextLong()));
        transport.serve(g.handler());
        return g;
    }

    void startAll() {
        agents.values().stream().sorted((a, b) -> a.self().compareTo(b.self())).forEach(Gossiper::start);
    }

    Gossiper agent(NodeId id) {
        return agents.get(id);
    }

    Gossiper agent(int i) {
        return agents.get(ids.get(i));
    }

    NodeId id(int i) {
        return ids.get(i);
    }

    int size() {
        return ids.size();
    }

    /** Kills {@code id}'s process: its agent stops (a dead process has no timers) and its transport dies. */
    void crash(NodeId id) {
        agents.get(id).close();
        sim.network().crash(id);
    }

    /** Brings {@code id} back as a fresh process with the next generation and no ring state, and starts it. */
    Gossiper restart(NodeId id) {
        long generation = generations.merge(id, 1L, Long::sum);
        Gossiper g = build(id, generation, null, sim.network().restart(id));
        agents.put(id, g);
        g.start();
        return g;
    }

    /** Every node knows every node, calls every one alive, and holds {@code ring}. */
    boolean converged(RingState ring) {
        for (NodeId id : ids) {
            MembershipView v = agents.get(id).view();
            if (v.size() != ids.size() || !v.downMembers().isEmpty() || !ring.equals(v.ring())) {
                return false;
            }
        }
        return true;
    }

    /** Every node holds {@code ring}. */
    boolean allHold(RingState ring) {
        for (NodeId id : ids) {
            if (!ring.equals(agents.get(id).view().ring())) {
                return false;
            }
        }
        return true;
    }

    /** Runs whole rounds until {@code done} holds after one, at most {@code maxRounds}: the rounds run, or -1. */
    int roundsUntil(java.util.function.BooleanSupplier done, int maxRounds) {
        long interval = config.interval().toMillis();
        for (int round = 1; round <= maxRounds; round++) {
            sim.advance(interval);
            if (done.getAsBoolean()) {
                return round;
            }
        }
        return -1;
    }

    long total(Function<GossipStats, Long> counter) {
        return agents.values().stream().mapToLong(g -> counter.apply(g.stats())).sum();
    }
}
