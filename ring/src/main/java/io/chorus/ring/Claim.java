package io.chorus.ring;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Partition claim, Dynamo's strategy 3 (Q equal partitions, Q/S per node), as pure functions from rings to rings.
 *
 * <p>Hard guarantees of every result: loads differ by at most one partition, and a change moves the fewest
 * partitions that allow that (a join moves only partitions to the new node, a leave only the leaver's). Best
 * effort: any {@code spacing} consecutive partitions have distinct owners, so each node replicates about
 * spacing × its load partitions and replica load stays as balanced as ownership. Stateless and thread-safe.
 */
public final class Claim {

    /** The replication factor the spacing aims at when none is given. */
    public static final int DEFAULT_SPACING = 3;
    public static final long INITIAL_VERSION = 1;

    private Claim() {
    }

    public static Ring create(Collection<Member> members, int partitionCount) {
        return create(members, partitionCount, DEFAULT_SPACING);
    }

    /**
     * The first ring (version {@value #INITIAL_VERSION}): owners round-robin over the members with zones
     * interleaved, so consecutive partitions also tend to sit in different zones.
     */
    public static Ring create(Collection<Member> members, int partitionCount, int spacing) {
        Partitioner.of(partitionCount);
        checkSpacing(spacing);
        List<Member> sorted = Ring.sortedById(members);
        int s = sorted.size();
        if (s == 0) {
            throw new IllegalArgumentException("a ring needs at least one member");
        }
        int[] order = zoneInterleaved(sorted);
        int q = partitionCount;
        int rounds = q / s;
        int rest = q % s;
        int offset = partialRoundOffset(s, rest, rounds, spacing);
        int[] owners = new int[q];
        for (int p = 0; p < rounds * s; p++) {
            owners[p] = order[p % s];
        }
        for (int j = 0; j < rest; j++) {
            owners[rounds * s + j] = order[offset + j];
        }
        return Ring.ofIndexes(INITIAL_VERSION, sorted, owners);
    }

    public static Ring join(Ring ring, Member member) {
        return join(ring, member, DEFAULT_SPACING);
    }

    /** The next ring with {@code member} added; it receives about Q/(S+1) partitions and nothing else moves. */
    public static Ring join(Ring ring, Member member, int spacing) {
        if (ring.contains(member.id())) {
            throw new IllegalArgumentException(member.id() + " is already a member of " + ring);
        }
        List<Member> next = new ArrayList<>(ring.members());
        next.add(member);
        return rebalance(ring, next, spacing);
    }

    public static Ring leave(Ring ring, NodeId node) {
        return leave(ring, node, DEFAULT_SPACING);
    }

    /** The next ring without {@code node}; only its partitions move, to the members with the fewest. */
    public static Ring leave(Ring ring, NodeId node, int spacing) {
        if (!ring.contains(node)) {
            throw new IllegalArgumentException(node + " is not a member of " + ring);
        }
        if (ring.size() == 1) {
            throw new IllegalArgumentException("cannot remove " + node + ", the last member of " + ring);
        }
        List<Member> next = new ArrayList<>(ring.members());
        next.removeIf(m -> m.id().equals(node));
        return rebalance(ring, next, spacing);
    }

    public static Ring rebalance(Ring ring, Collection<Member> members) {
        return rebalance(ring, members, DEFAULT_SPACING);
    }

    /**
     * The next ring (version + 1) for any new member set: balanced, moving the minimum number of partitions from
     * {@code ring}. Also balances a ring that was not. Members keep their partitions unless they must give some up.
     */
    public static Ring rebalance(Ring ring, Collection<Member> members, int spacing) {
        checkSpacing(spacing);
        List<Member> sorted = Ring.sortedById(members);
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one member");
        }
        Map<NodeId, Integer> index = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (index.put(sorted.get(i).id(), i) != null) {
                throw new IllegalArgumentException("duplicate member id " + sorted.get(i).id());
            }
        }
        int[] owners = new int[ring.partitionCount()];
        for (int p = 0; p < owners.length; p++) {
            owners[p] = index.getOrDefault(ring.owner(p), Reassignment.UNOWNED);
        }
        int[] balanced = Reassignment.balance(owners, sorted.size(), spacing);
        return Ring.ofIndexes(Math.addExact(ring.version(), 1), sorted, balanced);
    }

    /** How many partitions have a different owner in {@code b} than in {@code a}; both must have the same Q. */
    public static int movedPartitions(Ring a, Ring b) {
        if (a.partitionCount() != b.partitionCount()) {
            throw new IllegalArgumentException("rings of " + a.partitionCount() + " and " + b.partitionCount()
                    + " partitions cannot be compared");
        }
        int moved = 0;
        for (int p = 0; p < a.partitionCount(); p++) {
            if (!a.owner(p).equals(b.owner(p))) {
                moved++;
            }
        }
        return moved;
    }

    /** Member indexes taking one from each zone in turn (zones and members in sorted order). */
    private static int[] zoneInterleaved(List<Member> sorted) {
        Map<String, List<Integer>> byZone = new TreeMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            byZone.computeIfAbsent(sorted.get(i).zone(), z -> new ArrayList<>()).add(i);
        }
        int[] order = new int[sorted.size()];
        int n = 0;
        for (int k = 0; n < order.length; k++) {
            for (List<Integer> zone : byZone.values()) {
                if (k < zone.size()) {
                    order[n++] = zone.get(k);
                }
            }
        }
        return order;
    }

    /**
     * Where in the member order the last, partial round of {@code rest} partitions starts. Starting it at 0 would
     * put the same members on both sides of the wrap from Q-1 to 0; an offset in
     * [spacing - rest, S - max(spacing, rest)] keeps every window of {@code spacing} partitions distinct across
     * both seams. When no offset fits, spacing there is impossible anyway and 0 is as good as any.
     */
    private static int partialRoundOffset(int s, int rest, int rounds, int spacing) {
        if (rounds == 0 || rest == 0) {
            return 0;
        }
        int lo = Math.max(0, spacing - rest);
        int hi = s - Math.max(spacing, rest);
        return lo <= hi ? lo : 0;
    }

    private static void checkSpacing(int spacing) {
        if (spacing < 1) {
            throw new IllegalArgumentException("spacing must be >= 1, got " + spacing);
        }
    }
}
