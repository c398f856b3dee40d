package io.chorus.ring;

import io.chorus.core.NodeId;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The walk of every partition of one ring: all members, in the order a request for that partition tries them.
 *
 * <p>The base order is clockwise: distinct owners by first appearance starting at the partition, then the members
 * that own nothing (only possible when S > Q), rotated by partition so their fallback duty spreads. When members
 * have more than one zone, the base order is regrouped into rounds, Cassandra NetworkTopologyStrategy style:
 * round k holds the k-th node (in base order) of every zone that has one, in base order. Round 0 has one node of
 * every zone, so any prefix of n nodes spans min(n, zones) zones, and the owner (base position 0) stays first.
 *
 * <p>Walk prefixes are precomputed so a lookup is an array read plus a list view. The cache holds up to
 * {@link #CACHE_BUDGET} node references; when Q × S is larger, only the first {@code depth} nodes of each walk are
 * kept and longer lists are computed on demand (O(Q + S)). Immutable and thread-safe once constructed.
 */
final class Walks {

    /** About 4-8 MB of references: all of Q=4096 × S=64 fits, Q=65536 keeps 16 per partition. */
    static final int CACHE_BUDGET = 1 << 20;
    /** Preference lists are rarely longer than this; larger rings still cache at least this much. */
    static final int MIN_DEPTH = 16;

    private final int[] owners;
    private final NodeId[] ids;
    private final int[] zoneOf;
    private final int zoneCount;
    private final int ownerCount;
    private final int[] nonOwners;
    private final int depth;
    private final List<NodeId>[] cached;

    /**
     * @param owners  member index owning each partition; Q a power of two
     * @param ids     member ids by index
     * @param zoneOf  zone index of each member, in [0, zoneCount)
     * @param loads   partitions owned by each member
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // generic array of lists, filled only with List<NodeId>
    Walks(int[] owners, NodeId[] ids, int[] zoneOf, int zoneCount, int[] loads) {
        this.owners = owners;
        this.ids = ids;
        this.zoneOf = zoneOf;
        this.zoneCount = zoneCount;
        int s = ids.length;
        int q = owners.length;
        this.nonOwners = IntStream.range(0, s).filter(m -> loads[m] == 0).toArray();
        this.ownerCount = s - nonOwners.length;
        this.depth = Math.min(s, Math.max(MIN_DEPTH, CACHE_BUDGET / q));
        this.cached = new List[q];
        precompute();
    }

    /** The first {@code n} nodes of the walk of {@code partition}; {@code n} in [1, S], checked by the caller. */
    List<NodeId> prefix(int partition, int n) {
        List<NodeId> walk = n <= depth ? cached[partition] : full(partition);
        return n == walk.size() ? walk : walk.subList(0, n);
    }

    /** The whole walk of {@code partition}: every member once. */
    List<NodeId> full(int partition) {
        if (depth == ids.length) {
            return cached[partition];
        }
        int[] base = new int[ids.length];
        scanClockwise(partition, base);
        return order(base, ids.length, ids.length, new Scratch(ids.length, zoneCount));
    }

    // The base order of every partition in O(Q + Q × depth) (O(Q × S) with zones) instead of a ring scan each:
    // sweeping partitions counter-clockwise and moving each owner to the front of a list keeps the list in order of
    // next clockwise appearance. The first sweep only primes the list so the second sees wrap-around.
    private void precompute() {
        int s = ids.length;
        int q = owners.length;
        int[] next = new int[s];
        int[] prev = new int[s];
        boolean[] linked = new boolean[s];
        int head = -1;
        int[] base = new int[s];
        Scratch scratch = new Scratch(s, zoneCount);
        boolean zoned = zoneCount > 1;
        for (int pass = 0; pass < 2; pass++) {
            for (int p = q - 1; p >= 0; p--) {
                int m = owners[p];
                if (head != m) {
                    if (linked[m]) {
                        next[prev[m]] = next[m];
                        if (next[m] >= 0) {
                            prev[next[m]] = prev[m];
                        }
                    }
                    linked[m] = true;
                    prev[m] = -1;
                    next[m] = head;
                    if (head >= 0) {
                        prev[head] = m;
                    }
                    head = m;
                }
                if (pass == 1) {
                    // Zone rounds need the whole base order; the plain walk only its first depth nodes.
                    int needed = zoned ? s : depth;
                    int n = 0;
                    for (int x = head; x >= 0 && n < needed; x = next[x]) {
                        base[n++] = x;
                    }
                    n = appendNonOwners(p, base, n, needed);
                    cached[p] = order(base, n, depth, scratch);
                }
            }
        }
    }

    /** Base order by scanning the ring; the on-demand twin of the sweep in {@link #precompute}. */
    private void scanClockwise(int partition, int[] base) {
        int mask = owners.length - 1;
        boolean[] seen = new boolean[ids.length];
        int n = 0;
        for (int i = 0; n < ownerCount; i++) {
            int m = owners[(partition + i) & mask];
            if (!seen[m]) {
                seen[m] = true;
                base[n++] = m;
            }
        }
        appendNonOwners(partition, base, n, ids.length);
    }

    private int appendNonOwners(int partition, int[] base, int n, int needed) {
        int k = nonOwners.length;
        for (int i = 0; i < k && n < needed; i++) {
            base[n++] = nonOwners[(partition + i) % k];
        }
        return n;
    }

    /**
     * The first {@code outLen} nodes of the walk, given the first {@code len} members of the base order (all S
     * when there are zones; at least {@code outLen} otherwise).
     */
    private List<NodeId> order(int[] base, int len, int outLen, Scratch scratch) {
        NodeId[] walk = new NodeId[outLen];
        if (zoneCount <= 1) {
            for (int i = 0; i < walk.length; i++) {
                walk[i] = ids[base[i]];
            }
            return List.of(walk);
        }
        // Round of each node = how many of its zone came before it; then a stable counting sort by round.
        Arrays.fill(scratch.seenInZone, 0);
        Arrays.fill(scratch.roundStart, 0, len + 1, 0);
        for (int i = 0; i < len; i++) {
            int round = scratch.seenInZone[zoneOf[base[i]]]++;
            scratch.round[i] = round;
            scratch.roundStart[round + 1]++;
        }
        for (int r = 1; r <= len; r++) {
            scratch.roundStart[r] += scratch.roundStart[r - 1];
        }
        for (int i = 0; i < len; i++) {
            int at = scratch.roundStart[scratch.round[i]]++;
            if (at < walk.length) {
                walk[at] = ids[base[i]];
            }
        }
        return List.of(walk);
    }

    /** Reused arrays for {@link #order}; confined to one construction or one on-demand call. */
    private static final class Scratch {
        final int[] seenInZone;
        final int[] round;
        final int[] roundStart;

        Scratch(int members, int zones) {
            seenInZone = new int[Math.max(zones, 1)];
            round = new int[members];
            roundStart = new int[members + 1];
        }
    }
}
