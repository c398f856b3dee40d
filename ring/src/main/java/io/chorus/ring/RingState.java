package io.chorus.ring;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The cluster's committed ring as gossip spreads it: the ring partitions are moving from ({@link #from}), the ring
 * they move to ({@link #to}), which partitions have finished moving ({@link #isDone}), and the nodes removed from
 * the cluster for good. Settled when nothing moves: then {@code from == to}.
 *
 * <p>Only the claimant makes a new state, always with {@link #version} + 1: on a commit (a new {@code to}), when
 * handoff of some partitions completed (more done bits), and when all are done (settled: {@code from = to}). Two
 * states are ordered by {@link #supersedes}: the higher version, then (two claimants raced, each making the same
 * version) the lower-named author, then the encoded bytes; every node keeps the greatest it has seen, so all
 * converge on one. Immutable and thread-safe.
 *
 * <p>Which replicas a request of partition p uses: while p moves, reads ask {@code from}'s preference list (it
 * holds everything acknowledged so far) and writes go to both lists and need W acknowledgements from each; once
 * p is done, both use {@code to}'s list (see docs/consistency.md, "Ring changes").
 *
 * @param replicas the cluster's N at the commit: transfers move data to the first {@code replicas} nodes of each
 *     partition's walk in {@code to}
 */
public record RingState(long version, NodeId author, int replicas, Ring from, Ring to, BitSet doneBits,
        SortedSet<NodeId> removed) {

    public RingState {
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (version < 1) {
            throw new IllegalArgumentException("ring state version must be >= 1, got " + version);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1, got " + replicas);
        }
        if (from.partitionCount() != to.partitionCount()) {
            throw new IllegalArgumentException("from has Q = " + from.partitionCount() + ", to has Q = "
                    + to.partitionCount());
        }
        doneBits = (BitSet) doneBits.clone();
        if (doneBits.length() > to.partitionCount()) {
            throw new IllegalArgumentException("done bit " + (doneBits.length() - 1) + " outside the ring");
        }
        removed = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(removed));
        for (NodeId r : removed) {
            if (to.contains(r)) {
                throw new IllegalArgumentException(r + " is removed but a member of the target ring");
            }
        }
    }

    /**
     * A settled state of a ring fixed by its creator (tests, a static member list): authored by its first member,
     * transfers for Claim's default N.
     */
    public static RingState of(Ring ring) {
        return new RingState(Math.max(1, ring.version()), ring.members().get(0).id(), Claim.DEFAULT_SPACING, ring,
                ring, new BitSet(), new TreeSet<>());
    }

    /** The first state of a cluster: one ring, settled. */
    public static RingState initial(NodeId author, int replicas, Ring ring) {
        return new RingState(1, author, replicas, ring, ring, new BitSet(), new TreeSet<>());
    }

    public boolean settled() {
        return from.equals(to);
    }

    public int partitionCount() {
        return to.partitionCount();
    }

    /** Whether partition {@code p} has nothing (left) to move: settled, or its transfer completed. */
    public boolean isDone(int p) {
        return settled() || doneBits.get(p) || receivers(p).isEmpty();
    }

    /** Partitions still moving. */
    public BitSet moving() {
        BitSet m = new BitSet(partitionCount());
        if (!settled()) {
            for (int p = 0; p < partitionCount(); p++) {
                if (!isDone(p)) {
                    m.set(p);
                }
            }
        }
        return m;
    }

    /**
     * Names the transition to {@code to}: a hash of its encoding. Receivers report what they received against it,
     * not against a version number, since two claimants that raced may each have made a different ring of the
     * same version.
     */
    public long targetId() {
        return com.google.common.hash.Hashing.murmur3_128(0x7a26e71d).hashBytes(RingCodec.encode(to)).asLong();
    }

    /** The ring whose preference lists reads of {@code p} use. */
    public Ring readRing(int p) {
        return isDone(p) ? to : from;
    }

    /** The smallest member count of the two rings: a request's n must not exceed it. */
    public int size() {
        return Math.min(from.size(), to.size());
    }

    /**
     * The nodes a request of partition {@code p} with replication {@code n} coordinates on and reads from: the
     * first n of the read ring's walk. During a move these are the old replicas, which hold everything acknowledged
     * (a new replica has not received it yet, and a dot it stamped on a partial copy could repeat one it made
     * before it last gave the partition away).
     */
    public List<NodeId> readReplicas(int p, int n) {
        return readRing(p).preferenceList(p, n);
    }

    /**
     * The replica lists a write of {@code p} must reach W of, each: the read ring's list, and while p moves also
     * the target ring's. A write goes to the union.
     */
    public List<List<NodeId>> writeQuorums(int p, int n) {
        List<NodeId> read = readReplicas(p, n);
        if (isDone(p)) {
            return List.of(read);
        }
        List<NodeId> next = to.preferenceList(p, Math.min(n, to.size()));
        return next.equals(read) ? List.of(read) : List.of(read, next);
    }

    /** The replicas of {@code p} in {@code ring}: its first min(replicas, S) nodes. */
    public List<NodeId> replicasIn(Ring ring, int p) {
        return ring.preferenceList(p, Math.min(replicas, ring.size()));
    }

    /** The nodes that must receive {@code p}: replicas in {@code to} that are not replicas in {@code from}. */
    public List<NodeId> receivers(int p) {
        if (settled()) {
            return List.of();
        }
        List<NodeId> old = replicasIn(from, p);
        List<NodeId> out = new ArrayList<>();
        for (NodeId n : replicasIn(to, p)) {
            if (!old.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** The nodes that hold {@code p} now and must give it up once it is done: replicas in from, not in to. */
    public List<NodeId> leavers(int p) {
        if (settled()) {
            return List.of();
        }
        List<NodeId> next = replicasIn(to, p);
        List<NodeId> out = new ArrayList<>();
        for (NodeId n : replicasIn(from, p)) {
            if (!next.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Whether {@code node} is a member of either ring. */
    public boolean isMember(NodeId node) {
        return to.contains(node) || from.contains(node);
    }

    /** Every node of both rings, in id order. */
    public SortedSet<NodeId> allMembers() {
        SortedSet<NodeId> all = new TreeSet<>();
        from.members().forEach(m -> all.add(m.id()));
        to.members().forEach(m -> all.add(m.id()));
        return all;
    }

    /** The next state after a commit: moving from the settled ring to {@code next}. */
    public RingState commit(NodeId claimant, int replicas, Ring next, Collection<NodeId> newlyRemoved) {
        if (!settled()) {
            throw new IllegalStateException("cannot commit while partitions move (version " + version + ")");
        }
        Set<NodeId> rem = new LinkedHashSet<>(removed);
        rem.addAll(newlyRemoved);
        return new RingState(version + 1, claimant, replicas, to, next, new BitSet(), new TreeSet<>(rem));
    }

    /**
     * The next state with the transfers of {@code partitions} complete. It does not settle by itself even when
     * nothing moves any more: the leavers still hand off what reached them late and drop it ({@link #settle}).
     */
    public RingState markDone(NodeId claimant, BitSet partitions) {
        BitSet bits = (BitSet) doneBits.clone();
        bits.or(partitions);
        return new RingState(version + 1, claimant, replicas, from, to, bits, removed);
    }

    /** The next state, settled on {@code to}; only once every partition is done. */
    public RingState settle(NodeId claimant) {
        if (!moving().isEmpty()) {
            throw new IllegalStateException(moving().cardinality() + " partitions still move");
        }
        return settled(claimant, version + 1);
    }

    /**
     * Nodes of {@code from} that are not in {@code to} (leavers, removed nodes) are removed for good only on
     * settling: a leaver keeps gossiping while it hands off, so it learns when its partitions are done.
     */
    private RingState settled(NodeId claimant, long nextVersion) {
        SortedSet<NodeId> rem = new TreeSet<>(removed);
        for (Member m : from.members()) {
            if (!to.contains(m.id())) {
                rem.add(m.id());
            }
        }
        return new RingState(nextVersion, claimant, replicas, to, to, new BitSet(), rem);
    }

    /**
     * What a node holding {@code held} should hold after seeing {@code received}. Two states of the same ring
     * change (same from and to rings) combine: the done partitions of both, the greater version (at a tie the
     * lower-named author), since a done partition may already have been dropped by its old replicas and must
     * never move back, whichever claimant marked it. A settled state of a change's target ends that change. Any
     * other pair: the one that {@link #supersedes}. Commutative and idempotent, so gossip converges on it.
     */
    public static RingState reconcile(RingState held, RingState received) {
        if (held == null) {
            return received;
        }
        if (received == null || held.equals(received)) {
            return held;
        }
        boolean heldMoving = !held.settled();
        boolean receivedMoving = !received.settled();
        if (heldMoving && receivedMoving && held.from.equals(received.from) && held.to.equals(received.to)) {
            BitSet done = held.doneBits();
            done.or(received.doneBits);
            RingState first = held.version != received.version ? (held.version > received.version ? held : received)
                    : (held.author.compareTo(received.author) <= 0 ? held : received);
            SortedSet<NodeId> removedBoth = new TreeSet<>(held.removed);
            removedBoth.addAll(received.removed);
            return new RingState(first.version, first.author, first.replicas, held.from, held.to, done,
                    removedBoth);
        }
        if (heldMoving && !receivedMoving && received.to.equals(held.to)) {
            return received;
        }
        if (!heldMoving && receivedMoving && held.to.equals(received.to)) {
            return held;
        }
        return received.supersedes(held) ? received : held;
    }

    /** Whether this state should replace {@code other} in a node's view. */
    public boolean supersedes(RingState other) {
        if (other == null) {
            return true;
        }
        if (version != other.version) {
            return version > other.version;
        }
        int byAuthor = other.author.compareTo(author);
        if (byAuthor != 0) {
            return byAuthor > 0; // the lower-named author wins a race
        }
        return java.util.Arrays.compare(RingStateCodec.encode(this), RingStateCodec.encode(other)) > 0;
    }

    @Override
    public BitSet doneBits() {
        return (BitSet) doneBits.clone();
    }

    @Override
    public String toString() {
        return "RingState[v" + version + " by " + author + (settled() ? ", settled " + to
                : ", " + from.size() + " -> " + to.size() + " members, " + moving().cardinality() + " moving")
                + (removed.isEmpty() ? "" : ", removed " + removed) + "]";
    }
}
