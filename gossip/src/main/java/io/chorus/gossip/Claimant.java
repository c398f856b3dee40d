package io.chorus.gossip;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The claimant: the one node that turns staged membership changes into ring states, as Riak's claimant does. Every
 * node runs {@link #step} each gossip round; only the node {@link #claimantOf} names acts, so concurrent requests
 * through different nodes end up in one plan and one ring without a consensus protocol.
 *
 * <p>Staged changes live in gossip, not in the claimant's memory, so a new claimant finds them: a node that
 * gossips JOINING and is not in the ring is a staged join; a member that gossips LEAVING a staged leave; a node in
 * some live node's {@link NodeState#removals} a staged remove. {@link #plan} is a pure function of that view.
 *
 * <p>A commit needs a majority of the ring's members alive in the claimant's view, so the minority side of a
 * network partition cannot commit. Should two claimants still commit the same version (a partition that is not
 * clean, or views that disagree), {@link RingState#supersedes} picks one everywhere; the other's changes stay
 * staged and appear in the next plan (docs/architecture.md, "Claimant races").
 *
 * <p>Not thread-safe: confined to the gossip agent's thread.
 */
public final class Claimant {

    /**
     * @param autoCommit commit any committable plan once it has been unchanged for {@code settleNanos} (joins of
     *     nodes started together then land in one ring change); otherwise only on request ({@link NodeState#commitToken})
     * @param replicas   the cluster's N, written into each committed state: transfers move data to that many replicas
     */
    public record Config(boolean autoCommit, long settleNanos, int replicas) {
        public Config {
            if (settleNanos < 0 || replicas < 1) {
                throw new IllegalArgumentException("settle must be >= 0 and replicas >= 1");
            }
        }
    }

    private final NodeId self;
    private final Config config;
    private long trackedToken;
    private long trackedSinceNanos;
    private String lastProblem;

    public Claimant(NodeId self, Config config) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The lowest-named member of the target ring that is alive and not leaving; null when none is (then no one
     * claims until one is back).
     */
    public static NodeId claimantOf(RingState ring, Map<NodeId, NodeState> states, Predicate<NodeId> alive) {
        NodeId leavingFallback = null;
        for (Member m : ring.to().members()) {
            NodeState s = states.get(m.id());
            if (!alive.test(m.id()) || ring.removed().contains(m.id())) {
                continue;
            }
            if (s != null && s.status() == NodeStatus.LEAVING) {
                leavingFallback = leavingFallback == null ? m.id() : leavingFallback;
                continue;
            }
            return m.id();
        }
        return leavingFallback;
    }

    /** What a commit would do now in this view. Partitions still moving make it uncommittable, not empty. */
    public static Plan plan(RingState ring, Map<NodeId, NodeState> states, Predicate<NodeId> alive) {
        Ring current = ring.to();
        List<Change> changes = new ArrayList<>();
        Map<NodeId, Member> next = new LinkedHashMap<>();
        current.members().forEach(m -> next.put(m.id(), m));
        SortedSet<NodeId> removes = new TreeSet<>();
        for (NodeState s : states.values()) {
            if (alive.test(s.id()) && s.status() != NodeStatus.REMOVED && !ring.removed().contains(s.id())) {
                for (NodeId r : s.removals()) {
                    if (current.contains(r)) {
                        removes.add(r);
                    }
                }
            }
        }
        String problem = null;
        for (NodeId r : removes) {
            changes.add(new Change(Change.Kind.REMOVE, r));
            next.remove(r);
            if (alive.test(r)) {
                problem = r + " is alive: a live node leaves (leave), only a dead one is removed";
            }
        }
        List<NodeState> sorted = new ArrayList<>(states.values());
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        for (NodeState s : sorted) {
            if (ring.removed().contains(s.id()) || removes.contains(s.id())) {
                continue;
            }
            if (s.status() == NodeStatus.LEAVING && current.contains(s.id())) {
                changes.add(new Change(Change.Kind.LEAVE, s.id()));
                next.remove(s.id());
            } else if (s.status() == NodeStatus.JOINING && !current.contains(s.id()) && alive.test(s.id())) {
                changes.add(new Change(Change.Kind.JOIN, s.id()));
                next.put(s.id(), new Member(s.id(), s.zone()));
            }
        }
        Collections.sort(changes);
        if (changes.isEmpty()) {
            return Plan.nothing(ring);
        }
        long token = token(ring, changes);
        if (next.isEmpty()) {
            return new Plan(ring.version(), changes, null, 0, Map.of(), token, "the plan would leave no member");
        }
        if (next.size() > Ring.MAX_MEMBERS) {
            return new Plan(ring.version(), changes, null, 0, Map.of(), token,
                    "a ring holds at most " + Ring.MAX_MEMBERS + " members");
        }
        Ring nextRing = Claim.rebalance(current, next.values());
        int moves = 0;
        for (int p = 0; p < current.partitionCount(); p++) {
            if (!current.owner(p).equals(nextRing.owner(p))) {
                moves++;
            }
        }
        RingState hypothetical = new RingState(ring.version() + 1, ring.author(), ring.replicas(), current,
                nextRing, new BitSet(), ring.removed());
        Map<NodeId, Integer> transfers = new HashMap<>();
        for (int p = 0; p < current.partitionCount(); p++) {
            for (NodeId r : hypothetical.receivers(p)) {
                transfers.merge(r, 1, Integer::sum);
            }
        }
        if (problem == null && !ring.settled()) {
            problem = ring.moving().cardinality() + " partitions of version " + ring.version()
                    + " are still moving; commit when they are done";
        }
        return new Plan(ring.version(), changes, nextRing, moves, transfers, token, problem);
    }

    /**
     * One round of claimant work: marks finished transfers done, and commits the plan when asked to (or, with
     * auto-commit, once it has settled). Returns the ring state to adopt and gossip, or null for none.
     */
    public RingState step(RingState ring, Map<NodeId, NodeState> states, Predicate<NodeId> alive, long nowNanos) {
        return step(ring, states, alive, alive, nowNanos);
    }

    /**
     * As above, counting toward the majority a commit needs only the members {@code heardLately} accepts (see
     * {@link HeartbeatWatch}): stricter than the failure detector, which takes seconds to convict.
     */
    public RingState step(RingState ring, Map<NodeId, NodeState> states, Predicate<NodeId> alive,
            Predicate<NodeId> heardLately, long nowNanos) {
        if (!self.equals(claimantOf(ring, states, alive))) {
            trackedToken = 0;
            lastProblem = null;
            return null;
        }
        // Every step needs a majority heard lately, marking done and settling too: a claimant cut off from it may
        // not move a partition's reads to new replicas while another claimant decides otherwise.
        int members = ring.to().size();
        long aliveMembers = ring.to().members().stream()
                .filter(m -> m.id().equals(self) || alive.test(m.id()) && heardLately.test(m.id())).count();
        boolean majority = aliveMembers * 2 > members;
        String noMajority = "only " + aliveMembers + " of " + members + " members are reachable; a ring change needs"
                + " a majority";
        if (!ring.settled()) {
            if (!majority) {
                lastProblem = noMajority;
                return null;
            }
            if (!ring.moving().isEmpty()) {
                BitSet done = finishedTransfers(ring, states);
                return done.isEmpty() ? null : ring.markDone(self, done);
            }
            return leaversReleased(ring, states, alive) ? ring.settle(self) : null;
        }
        Plan plan = plan(ring, states, alive);
        if (!plan.committable()) {
            trackedToken = 0;
            lastProblem = plan.problem();
            return null;
        }
        if (!majority) {
            lastProblem = noMajority;
            return null;
        }
        lastProblem = null;
        if (plan.token() != trackedToken) {
            trackedToken = plan.token();
            trackedSinceNanos = nowNanos;
        }
        boolean asked = states.values().stream()
                .anyMatch(s -> s.commitToken() == plan.token() && alive.test(s.id()));
        boolean settledLongEnough = config.autoCommit() && nowNanos - trackedSinceNanos >= config.settleNanos();
        if (!asked && !settledLongEnough) {
            return null;
        }
        List<NodeId> removed = plan.changes().stream().filter(c -> c.kind() == Change.Kind.REMOVE)
                .map(Change::node).toList();
        trackedToken = 0;
        return ring.commit(self, config.replicas(), plan.next(), removed);
    }

    /** Why the last step on the claimant did not commit a plan that had changes (null when nothing held it back). */
    public String lastProblem() {
        return lastProblem;
    }

    /** Moving partitions every receiver of which reports, for this target ring, that it has received. */
    static BitSet finishedTransfers(RingState ring, Map<NodeId, NodeState> states) {
        BitSet done = new BitSet();
        BitSet moving = ring.moving();
        long target = ring.targetId();
        for (int p = moving.nextSetBit(0); p >= 0; p = moving.nextSetBit(p + 1)) {
            boolean all = true;
            for (NodeId r : ring.receivers(p)) {
                NodeState s = states.get(r);
                if (s == null || s.handoffVersion() != target || !s.received().get(p)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                done.set(p);
            }
        }
        return done;
    }

    /**
     * Whether every live leaver of every partition reports it handed the partition off and dropped it. A dead
     * leaver is not waited for: what it held is replicated on the others, and once settled it is removed.
     */
    static boolean leaversReleased(RingState ring, Map<NodeId, NodeState> states, Predicate<NodeId> alive) {
        long target = ring.targetId();
        Map<NodeId, BitSet> reported = new HashMap<>();
        for (int p = 0; p < ring.partitionCount(); p++) {
            for (NodeId l : ring.leavers(p)) {
                if (!alive.test(l)) {
                    continue;
                }
                BitSet bits = reported.computeIfAbsent(l, n -> {
                    NodeState s = states.get(n);
                    return s == null || s.handoffVersion() != target ? new BitSet() : s.received();
                });
                if (!bits.get(p)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Names the base state itself (not only its version: racing claimants may make two of one version). */
    static long token(RingState base, List<Change> changes) {
        Hasher h = Hashing.murmur3_128(0x2c1a1a17).newHasher().putLong(base.version())
                .putBytes(io.chorus.ring.RingStateCodec.encode(base));
        for (Change c : changes) {
            h.putInt(c.kind().ordinal()).putString(c.node().name(), StandardCharsets.UTF_8).putByte((byte) 0);
        }
        long t = h.hash().asLong();
        return t == 0 ? 1 : t;
    }
}
