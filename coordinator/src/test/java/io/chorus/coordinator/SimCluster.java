package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.Failures;
import io.chorus.core.transport.Transport;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.storage.HashTree;
import io.chorus.storage.MemoryStorageEngine;
import io.chorus.storage.StorageEngine;
import io.chorus.testkit.Bytes;
import io.chorus.testkit.Simulation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;

/**
 * A cluster of k simulated nodes n1..nk for tests: each has a {@link MemoryStorageEngine} (kept across a
 * crash, as a disk is), a simulated transport, a {@link FailureDetectingLiveness} and a started
 * {@link Coordinator}. Confined to the simulation thread.
 */
final class SimCluster {

    static final int PARTITIONS = 64;
    /** Long enough for any request of these tests, short enough to fail a hung test quickly in virtual time. */
    static final long AWAIT_MILLIS = 60_000;

    final Simulation sim;
    final Ring ring;
    /** What the coordinators route by; tests of ring changes move it ({@link #setRingState}). */
    private RingState ringState;
    /** Nodes that route by a ring of their own (gossip has not reached them yet): {@link #setStaleRing}. */
    private final Map<NodeId, RingState> staleRings = new HashMap<>();
    final List<NodeId> ids = new ArrayList<>();
    private final CoordinatorConfig config;
    private final Map<NodeId, MemoryStorageEngine> storages = new HashMap<>();
    private final Map<NodeId, Coordinator> coordinators = new HashMap<>();
    private final Map<NodeId, Integer> incarnations = new HashMap<>();
    private final Map<NodeId, StorageEngine> damaged = new HashMap<>();
    private final UnaryOperator<Transport> wrap;
    private final AntiEntropyConfig antiEntropyConfig;
    private final Map<NodeId, AntiEntropy> antiEntropies = new HashMap<>();
    private final Map<NodeId, FailureDetectingLiveness> livenesses = new HashMap<>();
    private java.util.function.Function<NodeId, ClusterMembership> membership;
    private HandoffConfig handoffConfig;
    private final Map<NodeId, Handoff> handoffs = new HashMap<>();

    SimCluster(Simulation sim, int size, CoordinatorConfig config) {
        this(sim, size, config, UnaryOperator.identity());
    }

    /** As above, each node's transport seen through {@code wrap} (to model a transport's own quirks). */
    SimCluster(Simulation sim, int size, CoordinatorConfig config, UnaryOperator<Transport> wrap) {
        this(sim, size, config, wrap, AntiEntropyConfig.disabled());
    }

    /** With every node running anti-entropy as {@code antiEntropy} says (the other constructors: responder only). */
    SimCluster(Simulation sim, int size, CoordinatorConfig config, AntiEntropyConfig antiEntropy) {
        this(sim, size, config, UnaryOperator.identity(), antiEntropy);
    }

    SimCluster(Simulation sim, int size, CoordinatorConfig config, UnaryOperator<Transport> wrap,
            AntiEntropyConfig antiEntropy) {
        this.sim = sim;
        this.config = config;
        this.wrap = wrap;
        this.antiEntropyConfig = antiEntropy;
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            NodeId id = NodeId.of("n" + i);
            ids.add(id);
            members.add(Member.of(id));
        }
        this.ring = Claim.create(members, PARTITIONS);
        this.ringState = RingState.of(ring);
        for (int i = 0; i < size; i++) {
            NodeId id = ids.get(i);
            storages.put(id, new MemoryStorageEngine(100 + i));
            boot(id, sim.network().transport(id));
        }
    }

    private void boot(NodeId id, Transport simulated) {
        Transport transport = wrap.apply(simulated);
        MemoryStorageEngine memory = storages.get(id);
        StorageEngine storage = damaged.containsKey(id) ? damaged.get(id) : memory;
        FailureDetectingLiveness liveness = new FailureDetectingLiveness();
        Coordinator c = new Coordinator(id, new ActorId(id, memory.epoch()),
                () -> staleRings.getOrDefault(id, ringState), storage, transport,
                liveness, sim.scheduler(), sim.clock(), config);
        AntiEntropy ae = new AntiEntropy(id, () -> ringState.to(), config.n(), storage, transport, liveness,
                sim.scheduler(), sim.clock(), sim.scheduler()::execute, c.budget(), c::pendingHints,
                antiEntropyConfig);
        ae.holdCollectionWhile(() -> !ringState.settled());
        transport.serve(AntiEntropy.route(c.peerHandler(), ae.handler()));
        c.start();
        ae.start();
        if (membership != null) {
            Handoff h = new Handoff(id, membership.apply(id), ae, storage, sim.scheduler(), sim.clock(),
                    handoffConfig);
            h.start();
            handoffs.put(id, h);
        }
        coordinators.put(id, c);
        antiEntropies.put(id, ae);
        livenesses.put(id, liveness);
        incarnations.merge(id, 1, Integer::sum);
    }

    /** Every coordinator and anti-entropy agent routes by {@code state} from now on (instant gossip). */
    void setRingState(RingState state) {
        this.ringState = state;
    }

    /** {@code node}'s coordinator routes by {@code state} whatever the others do (its anti-entropy does not). */
    void setStaleRing(NodeId node, RingState state) {
        staleRings.put(node, state);
    }

    /** {@code node} routes by the cluster's ring again (gossip has reached it). */
    void clearStaleRing(NodeId node) {
        staleRings.remove(node);
    }

    RingState ringState() {
        return ringState;
    }

    /** Runs a {@link Handoff} agent on every node, now and after each restart, over {@code membership}. */
    void enableHandoff(java.util.function.Function<NodeId, ClusterMembership> membership, HandoffConfig config) {
        this.membership = membership;
        this.handoffConfig = config;
        for (NodeId id : ids) {
            if (!isCrashed(id)) {
                Handoff h = new Handoff(id, membership.apply(id), antiEntropies.get(id), storages.get(id),
                        sim.scheduler(), sim.clock(), config);
                h.start();
                handoffs.put(id, h);
            }
        }
    }

    Handoff handoff(NodeId id) {
        return handoffs.get(id);
    }

    NodeId id(int index) {
        return ids.get(index);
    }

    Coordinator coordinator(NodeId id) {
        return coordinators.get(id);
    }

    MemoryStorageEngine storage(NodeId id) {
        return storages.get(id);
    }

    /** Cuts the network between two sides drawn at random (a side may be empty: then nothing is cut). */
    void partitionAtRandom(java.util.Random random) {
        java.util.Set<NodeId> side = new java.util.HashSet<>();
        for (NodeId id : ids) {
            if (random.nextBoolean()) {
                side.add(id);
            }
        }
        sim.network().partition(side);
    }

    AntiEntropy antiEntropy(NodeId id) {
        return antiEntropies.get(id);
    }

    /** The liveness of the node's current process (its coordinator and its anti-entropy share it). */
    FailureDetectingLiveness liveness(NodeId id) {
        return livenesses.get(id);
    }

    /**
     * Crashes the node, throws its store away and restarts it on an empty one with a new epoch, as a node whose
     * data directory was wiped.
     */
    void wipe(NodeId id) {
        wipe(id, storages.get(id).epoch() + 1000);
    }

    /**
     * As {@link #wipe(NodeId)}, but the new store gets {@code epoch}: the old one models a node that forgot its
     * epoch with its data (the "doomstone" bug a new epoch prevents), to show what a test would catch.
     */
    void wipe(NodeId id, long epoch) {
        crash(id);
        storages.put(id, new MemoryStorageEngine(epoch));
        damaged.remove(id);
        restart(id);
    }

    /** Kills the node's process; its storage survives. The dead coordinator's replay timer is stopped. */
    void crash(NodeId id) {
        sim.network().crash(id);
        antiEntropies.get(id).close();
        coordinators.get(id).close();
        Handoff h = handoffs.remove(id);
        if (h != null) {
            h.close();
        }
        incarnations.merge(id, 1, Integer::sum);
    }

    /** A new process on the old storage: a fresh transport, liveness and coordinator. */
    void restart(NodeId id) {
        boot(id, sim.network().restart(id));
    }

    /**
     * Restarts {@code id} on a store whose bytes for {@code key} no longer decode, as after a bad disk block: its
     * reads of the key fail CORRUPT, and what it sends of the key does not decode.
     */
    void damage(NodeId id, byte[] key) {
        crash(id);
        damaged.put(id, new DamagedStorage(storages.get(id), ring.partitionOf(key), key));
        restart(id);
    }

    boolean isCrashed(NodeId id) {
        return sim.network().isCrashed(id);
    }

    /** Changes on every crash and restart: a result from an older incarnation comes from a dead process. */
    int incarnation(NodeId id) {
        return incarnations.get(id);
    }

    List<NodeId> replicas(byte[] key, int n) {
        return ring.preferenceList(key, n);
    }

    /** The first node of the walk after the first n: the first fallback. */
    List<NodeId> fallbacks(byte[] key, int n) {
        return ring.fallbacks(ring.partitionOf(key), n);
    }

    List<NodeId> nonReplicas(byte[] key, int n) {
        List<NodeId> rest = new ArrayList<>(ids);
        rest.removeAll(replicas(key, n));
        return rest;
    }

    /** The first N (the coordinators' default) nodes of the partition's walk: the replicas that sync it. */
    List<NodeId> primaries(int partition) {
        return ring.preferenceList(partition, config.n());
    }

    /** The partitions {@code id} is a primary of. */
    List<Integer> held(NodeId id) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            if (primaries(p).contains(id)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether the partition's primaries all have ready trees with the same root (their stores agree). */
    boolean treesAgree(int partition) {
        Long root = null;
        for (NodeId id : primaries(partition)) {
            HashTree tree = storages.get(id).trees().tree(partition);
            if (!tree.isReady() || (root != null && root != tree.root())) {
                return false;
            }
            root = tree.root();
        }
        return true;
    }

    /** {@link #treesAgree(int)} for every partition. */
    boolean treesAgree() {
        for (int p = 0; p < PARTITIONS; p++) {
            if (!treesAgree(p)) {
                return false;
            }
        }
        return true;
    }

    /** What {@code id} stores in {@code partition}, key by key (read straight from the store: no read repair). */
    Map<Bytes, SiblingSet> contents(NodeId id, int partition) {
        Map<Bytes, SiblingSet> out = new TreeMap<>();
        storages.get(id).scan(partition, (key, value) -> {
            out.put(Bytes.of(key), value);
            return true;
        });
        return out;
    }

    /** Each node's liveness and anti-entropy counters, for a failure's message. */
    String describeAe() {
        StringBuilder out = new StringBuilder();
        for (NodeId id : ids) {
            out.append('\n').append(id).append(isCrashed(id) ? " (crashed) " : " ").append(livenesses.get(id))
                    .append(' ').append(antiEntropies.get(id).stats());
        }
        return out.toString();
    }

    SiblingSet stored(NodeId id, byte[] key) {
        return storages.get(id).get(ring.partitionOf(key), key);
    }

    long hints(NodeId id) {
        return storages.get(id).area(HintStore.AREA).count();
    }

    long totalHints() {
        return ids.stream().mapToLong(this::hints).sum();
    }

    /** Runs the simulation until {@code f} completes and returns its value (rethrowing its failure's cause). */
    <T> T await(CompletableFuture<T> f) {
        assertThat(sim.runUntil(f::isDone, AWAIT_MILLIS)).as("completed within %d ms", AWAIT_MILLIS).isTrue();
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Runs until {@code f} completes and returns its failure; fails the test if it succeeded. */
    Throwable awaitFailure(CompletableFuture<?> f) {
        assertThat(sim.runUntil(f::isDone, AWAIT_MILLIS)).isTrue();
        assertThat(f).isCompletedExceptionally();
        return Failures.unwrap(f.handle((v, e) -> e).join());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> liveValues(SiblingSet set) {
        return set.liveSiblings().stream().map(s -> new String(s.value(), StandardCharsets.UTF_8)).sorted().toList();
    }
}
