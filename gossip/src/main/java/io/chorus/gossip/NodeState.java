package io.chorus.gossip;

import io.chorus.core.NodeId;
import java.util.BitSet;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What one node tells the cluster about itself, spread by gossip. Only its owner changes it, and every change
 * (including the heartbeat the owner makes every gossip interval) takes the next {@link #version}; a restart takes a
 * greater {@link #generation}. A state with a greater (generation, version) replaces a lesser one everywhere, so
 * digests of (id, generation, version) are enough to tell who has newer news. Immutable.
 *
 * @param clientAddress the host:port clients are told to use (never a wildcard address)
 * @param peerAddress   the host:port other nodes connect to
 * @param ringVersion   the version of the {@code RingState} this node holds: handoff waits until every up member
 *                      has seen a commit
 * @param handoffVersion the transition {@link #received} refers to: {@code RingState.targetId()} (0: none)
 * @param received      partitions whose transfer this node has finished its part of: as a receiver it holds
 *                      everything, as a leaver it handed everything off and dropped the partition
 * @param removals      staged removals this node asked for (the claimant plans them)
 * @param commitToken   the plan this node was asked to commit (0: none); the claimant commits when it matches
 */
public record NodeState(NodeId id, long generation, long version, NodeStatus status, String zone,
        String clientAddress, String peerAddress, long ringVersion, long handoffVersion, BitSet received,
        SortedSet<NodeId> removals, long commitToken) {

    private static final BitSet NO_PARTITIONS = new BitSet();
    private static final SortedSet<NodeId> NO_REMOVALS = Collections.unmodifiableSortedSet(new TreeSet<>());

    public NodeState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(peerAddress, "peerAddress");
        if (status == NodeStatus.DOWN) {
            throw new IllegalArgumentException("DOWN is a local verdict, never a gossiped status");
        }
        if (generation < 0 || version < 0 || ringVersion < 0) {
            throw new IllegalArgumentException("negative generation, version or ring version in " + id);
        }
        // The empty ones shared: a node holds a state of every peer, a simulation a million of them, and nearly all
        // have nothing received and no removals. Safe, since neither is ever mutated or handed out (see received()).
        received = received.isEmpty() ? NO_PARTITIONS : (BitSet) received.clone();
        removals = removals.isEmpty() ? NO_REMOVALS : Collections.unmodifiableSortedSet(new TreeSet<>(removals));
    }

    /** A fresh state for a node starting with {@code generation}. */
    public static NodeState starting(NodeId id, long generation, NodeStatus status, String zone,
            String clientAddress, String peerAddress) {
        return new NodeState(id, generation, 1, status, zone, clientAddress, peerAddress, 0, 0, new BitSet(),
                new TreeSet<>(), 0);
    }

    /** Whether this state is newer news than {@code other} about the same node. */
    public boolean newerThan(NodeState other) {
        return other == null || generation > other.generation
                || generation == other.generation && version > other.version;
    }

    /**
     * Whether this and {@code other} say the same but for {@link #version}: {@code other} is a heartbeat away, with
     * nothing new for the owner's listeners.
     */
    public boolean sameContentAs(NodeState other) {
        return other != null && id.equals(other.id) && generation == other.generation && status == other.status
                && zone.equals(other.zone) && clientAddress.equals(other.clientAddress)
                && peerAddress.equals(other.peerAddress) && ringVersion == other.ringVersion
                && handoffVersion == other.handoffVersion && received.equals(other.received)
                && removals.equals(other.removals) && commitToken == other.commitToken;
    }

    @Override
    public BitSet received() {
        return (BitSet) received.clone();
    }

    public NodeState next() {
        return next(b -> { });
    }

    public NodeState withStatus(NodeStatus s) {
        return next(b -> b.status = s);
    }

    public NodeState withRingVersion(long v) {
        return next(b -> b.ringVersion = v);
    }

    public NodeState withReceived(long toVersion, BitSet partitions) {
        return next(b -> {
            b.handoffVersion = toVersion;
            b.received = partitions;
        });
    }

    public NodeState withRemovals(SortedSet<NodeId> r) {
        return next(b -> b.removals = r);
    }

    public NodeState withCommitToken(long token) {
        return next(b -> b.commitToken = token);
    }

    /** The next {@link #version} of this state, with {@code change} made; the canonical constructor validates. */
    private NodeState next(Consumer<Builder> change) {
        Builder b = new Builder(this);
        b.version = version + 1;
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #next}: the one place besides the header that lists them all. */
    private static final class Builder {
        private NodeId id;
        private long generation;
        private long version;
        private NodeStatus status;
        private String zone;
        private String clientAddress;
        private String peerAddress;
        private long ringVersion;
        private long handoffVersion;
        private BitSet received;
        private SortedSet<NodeId> removals;
        private long commitToken;

        private Builder(NodeState s) {
            id = s.id;
            generation = s.generation;
            version = s.version;
            status = s.status;
            zone = s.zone;
            clientAddress = s.clientAddress;
            peerAddress = s.peerAddress;
            ringVersion = s.ringVersion;
            handoffVersion = s.handoffVersion;
            received = s.received;
            removals = s.removals;
            commitToken = s.commitToken;
        }

        private NodeState build() {
            return new NodeState(id, generation, version, status, zone, clientAddress, peerAddress, ringVersion,
                    handoffVersion, received, removals, commitToken);
        }
    }
}
