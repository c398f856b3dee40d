package io.chorus.ring;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/** Random members and rings for the tests, and a slow, obviously-correct reference walk to check rings against. */
final class RingFixtures {

    private RingFixtures() {
    }

    /** {@code s} members with distinct ids; zones drawn from {@code zones} names, or none when {@code zones} is 0. */
    static List<Member> members(Random rnd, int s, int zones) {
        Set<String> ids = new LinkedHashSet<>();
        while (ids.size() < s) {
            ids.add(rnd.nextInt(4) == 0 ? "nöde-" + rnd.nextInt(100_000) : "n" + rnd.nextInt(100_000));
        }
        List<Member> members = new ArrayList<>();
        for (String id : ids) {
            members.add(Member.of(id, zones == 0 ? Member.NO_ZONE : "z" + rnd.nextInt(zones)));
        }
        return members;
    }

    static Member freshMember(Random rnd, Ring ring, int zones) {
        while (true) {
            Member m = members(rnd, 1, zones).get(0);
            if (!ring.contains(m.id())) {
                return m;
            }
        }
    }

    /** A valid ring whose owners are drawn at random (so unbalanced), each member owning one at least if S <= Q. */
    static Ring randomOwners(Random rnd, int q, int s, int zones) {
        List<Member> members = members(rnd, s, zones);
        List<NodeId> owners = new ArrayList<>();
        for (int p = 0; p < q; p++) {
            owners.add(members.get(p < s ? p : rnd.nextInt(s)).id());
        }
        java.util.Collections.shuffle(owners, rnd);
        return Ring.of(rnd.nextInt(1000), members, owners);
    }

    static int powerOfTwo(Random rnd, int minLog, int maxLog) {
        return 1 << (minLog + rnd.nextInt(maxLog - minLog + 1));
    }

    static Map<NodeId, Integer> loads(Ring ring) {
        Map<NodeId, Integer> loads = new TreeMap<>();
        for (Member m : ring.members()) {
            loads.put(m.id(), 0);
        }
        for (int p = 0; p < ring.partitionCount(); p++) {
            loads.merge(ring.owner(p), 1, Integer::sum);
        }
        return loads;
    }

    static int spread(Ring ring) {
        var loads = loads(ring).values();
        return loads.stream().max(Integer::compare).orElseThrow() - loads.stream().min(Integer::compare).orElseThrow();
    }

    /** Windows of {@code n} consecutive partitions (wrapping) whose owners are not all distinct. */
    static int crowdedWindows(Ring ring, int n) {
        int q = ring.partitionCount();
        int crowded = 0;
        for (int p = 0; p < q; p++) {
            window:
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (ring.owner((p + i) % q).equals(ring.owner((p + j) % q))) {
                        crowded++;
                        break window;
                    }
                }
            }
        }
        return crowded;
    }

    /**
     * The walk as specified, computed the slow way: distinct owners clockwise from the partition, then members
     * owning nothing (sorted, rotated by partition); with zones, repeated rounds that each walk that order and take
     * the first not-yet-taken node of every zone not yet used in the round.
     */
    static List<NodeId> referenceWalk(Ring ring, int partition) {
        int q = ring.partitionCount();
        List<NodeId> base = new ArrayList<>();
        for (int i = 0; i < q; i++) {
            NodeId o = ring.owner((partition + i) % q);
            if (!base.contains(o)) {
                base.add(o);
            }
        }
        List<NodeId> idle = new ArrayList<>();
        for (Member m : ring.members()) {
            if (!base.contains(m.id())) {
                idle.add(m.id());
            }
        }
        for (int i = 0; i < idle.size(); i++) {
            base.add(idle.get((partition + i) % idle.size()));
        }
        List<NodeId> walk = new ArrayList<>();
        while (walk.size() < base.size()) {
            Set<String> usedZones = new HashSet<>();
            for (NodeId node : base) {
                String zone = ring.member(node).orElseThrow().zone();
                if (!walk.contains(node) && usedZones.add(zone)) {
                    walk.add(node);
                }
            }
        }
        return walk;
    }

    static int zoneCount(Ring ring) {
        return (int) ring.members().stream().map(Member::zone).distinct().count();
    }
}
