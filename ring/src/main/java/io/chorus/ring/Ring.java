package io.chorus.ring;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One version of the ring: Q partitions, the members, and the owner of each partition. Validated when built and
 * never changed: a membership change builds a new ring with the next version (see {@link Claim}) and the holder
 * swaps one reference. Every partition's preference walk is precomputed here, so
 * {@link #preferenceList(byte[], int)} costs a hash and an array read. Immutable and thread-safe.
 *
 * <p>Members are kept sorted by id, so equal rings have equal member indexes and equal encodings.
 */
public final class Ring {

    /** Bounds construction (Q × S walk work) and the decode cost of a gossiped ring; far above Dynamo-size rings. */
    public static final int MAX_MEMBERS = 1024;

    private final long version;
    private final Partitioner partitioner;
    private final List<Member> members;
    private final Map<NodeId, Integer> indexOf;
    private final int[] owners;
    private final int[] loads;
    private final Walks walks;

    private Ring(long version, List<Member> sortedMembers, int[] owners) {
        if (version < 0) {
            throw new IllegalArgumentException("ring version must be >= 0, got " + version);
        }
        this.partitioner = Partitioner.of(owners.length);
        int s = sortedMembers.size();
        if (s == 0) {
            throw new IllegalArgumentException("a ring needs at least one member");
        }
        if (s > MAX_MEMBERS) {
            throw new IllegalArgumentException("a ring holds at most " + MAX_MEMBERS + " members, got " + s);
        }
        Map<NodeId, Integer> index = new HashMap<>(s * 2);
        Map<String, Integer> zones = new HashMap<>();
        int[] zoneOf = new int[s];
        NodeId[] ids = new NodeId[s];
        for (int i = 0; i < s; i++) {
            Member m = sortedMembers.get(i);
            if (m == null) {
                throw new IllegalArgumentException("member " + i + " is null");
            }
            if (i > 0 && sortedMembers.get(i - 1).id().compareTo(m.id()) >= 0) {
                throw new IllegalArgumentException(sortedMembers.get(i - 1).id().equals(m.id())
                        ? "duplicate member id " + m.id() : "members not sorted by id at " + i);
            }
            ids[i] = m.id();
            index.put(m.id(), i);
            zoneOf[i] = zones.computeIfAbsent(m.zone(), z -> zones.size());
        }
        int[] load = new int[s];
        for (int p = 0; p < owners.length; p++) {
            int o = owners[p];
            if (o < 0 || o >= s) {
                throw new IllegalArgumentException("partition " + p + " has owner index " + o + ", not a member");
            }
            load[o]++;
        }
        // With S <= Q an idle member is a claim bug (or a forged ring), not a choice.
        if (s <= owners.length) {
            for (int i = 0; i < s; i++) {
                if (load[i] == 0) {
                    throw new IllegalArgumentException("member " + ids[i] + " owns no partition although S = " + s
                            + " <= Q = " + owners.length);
                }
            }
        }
        this.version = version;
        this.members = List.copyOf(sortedMembers);
        this.indexOf = Map.copyOf(index);
        this.owners = owners;
        this.loads = load;
        this.walks = new Walks(owners, ids, zoneOf, zones.size(), load);
    }

    /**
     * A ring of {@code owners.size()} partitions (a power of two) in which partition {@code p} is owned by
     * {@code owners.get(p)}, which must be one of {@code members}.
     *
     * @throws IllegalArgumentException when the ring is invalid: Q not a power of two in range, a partition
     *     unowned or owned by a non-member, duplicate member ids, or a member owning nothing while S <= Q
     */
    public static Ring of(long version, Collection<Member> members, List<NodeId> owners) {
        List<Member> sorted = sortedById(members);
        Map<NodeId, Integer> index = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            index.put(sorted.get(i).id(), i);
        }
        int[] idx = new int[owners.size()];
        for (int p = 0; p < idx.length; p++) {
            NodeId o = owners.get(p);
            if (o == null) {
                throw new IllegalArgumentException("partition " + p + " is unowned");
            }
            Integer i = index.get(o);
            if (i == null) {
                throw new IllegalArgumentException("partition " + p + " is owned by " + o + ", not a member");
            }
            idx[p] = i;
        }
        return new Ring(version, sorted, idx);
    }

    /** For claim and decoding: members already sorted by id; {@code owners} is adopted, not copied. */
    static Ring ofIndexes(long version, List<Member> sortedMembers, int[] owners) {
        return new Ring(version, sortedMembers, owners);
    }

    static List<Member> sortedById(Collection<Member> members) {
        List<Member> sorted = new ArrayList<>(members.size());
        for (Member m : members) {
            if (m == null) {
                throw new IllegalArgumentException("member must not be null");
            }
            sorted.add(m);
        }
        sorted.sort(Comparator.comparing(Member::id));
        return sorted;
    }

    public long version() {
        return version;
    }

    public int partitionCount() {
        return owners.length;
    }

    public Partitioner partitioner() {
        return partitioner;
    }

    /** Sorted by id. */
    public List<Member> members() {
        return members;
    }

    public int size() {
        return members.size();
    }

    public boolean contains(NodeId node) {
        return indexOf.containsKey(node);
    }

    public Optional<Member> member(NodeId node) {
        Integer i = indexOf.get(node);
        return i == null ? Optional.empty() : Optional.of(members.get(i));
    }

    public int partitionOf(byte[] key) {
        return partitioner.partitionOf(key);
    }

    public NodeId owner(int partition) {
        checkPartition(partition);
        return members.get(owners[partition]).id();
    }

    /** How many partitions {@code node} owns; 0 for a non-member. */
    public int load(NodeId node) {
        Integer i = indexOf.get(node);
        return i == null ? 0 : loads[i];
    }

    /**
     * The first {@code n} distinct nodes of the partition's walk: its owner, then clockwise, spread across zones
     * when members have zones (any prefix of n nodes spans min(n, zones) zones). An unmodifiable view.
     *
     * @throws IllegalArgumentException unless {@code n} is in [1, S] and the partition in [0, Q)
     */
    public List<NodeId> preferenceList(int partition, int n) {
        checkPartition(partition);
        checkReplicas(n);
        return walks.prefix(partition, n);
    }

    public List<NodeId> preferenceList(byte[] key, int n) {
        checkReplicas(n);
        return walks.prefix(partitioner.partitionOf(key), n);
    }

    /** Every member once, in preference order: the preference list for any n is a prefix of this. */
    public List<NodeId> walk(int partition) {
        checkPartition(partition);
        return walks.full(partition);
    }

    /** The nodes after the first {@code n} of the walk, in the order sloppy quorums should try them. */
    public List<NodeId> fallbacks(int partition, int n) {
        checkPartition(partition);
        checkReplicas(n);
        List<NodeId> walk = walks.full(partition);
        return walk.subList(n, walk.size());
    }

    int ownerIndex(int partition) {
        return owners[partition];
    }

    private void checkPartition(int partition) {
        if (partition < 0 || partition >= owners.length) {
            throw new IllegalArgumentException("partition " + partition + " outside [0, " + owners.length + ")");
        }
    }

    private void checkReplicas(int n) {
        if (n < 1 || n > members.size()) {
            throw new IllegalArgumentException("replica count n = " + n + " outside [1, " + members.size()
                    + "] for a ring of " + members.size() + " members");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ring r && r.version == version && r.members.equals(members)
                && Arrays.equals(r.owners, owners);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(version) * 31 + members.hashCode()) * 31 + Arrays.hashCode(owners);
    }

    @Override
    public String toString() {
        return "Ring[version=" + version + ", Q=" + owners.length + ", members=" + members + "]";
    }
}
