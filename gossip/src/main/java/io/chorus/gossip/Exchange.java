package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.ring.RingState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The decisions of a gossip exchange as pure functions of what a node holds and what it was sent: which states an
 * ACK carries and which it asks for, which an ACK2 carries, and who gets the ring state. The agent does the I/O
 * and the merging around them. Stateless.
 *
 * <p><b>The cap.</b> An ACK or ACK2 carries at most {@code maxStates} states (and an ACK asks for at most as many),
 * so one exchange stays small however large the cluster; what is left goes in later rounds. When more qualify, the
 * most out of date go first, as in Cassandra: a node the other side does not know at all, then a newer generation,
 * then the largest gap in versions, ties in random order. Without the order a large cluster, where every state
 * changes every round (heartbeats), would always send the same first ones and starve the rest; the random ties
 * keep equal gaps from favouring low ids.
 */
final class Exchange {

    private static final long UNKNOWN = Long.MAX_VALUE;
    private static final long NEW_GENERATION = Long.MAX_VALUE - 1;

    private Exchange() {
    }

    /**
     * The ACK to {@code syn}. {@code held} is every state this node gossips (not the removed), in id order;
     * {@code unwanted} the nodes whose states it never takes (itself, the removed); {@code ring} its ring state or
     * null, with its digest {@code ringDigest}.
     */
    static GossipAck ack(List<NodeState> held, Predicate<NodeId> unwanted, RingState ring, RingDigest ringDigest,
            GossipSyn syn, int maxStates, Random random) {
        List<Ranked<NodeState>> give = new ArrayList<>();
        List<Ranked<Digest>> want = new ArrayList<>();
        List<Digest> theirs = syn.digests();
        int i = 0;
        int j = 0;
        while (i < held.size() || j < theirs.size()) {
            int order = i == held.size() ? 1 : j == theirs.size() ? -1
                    : held.get(i).id().compareTo(theirs.get(j).node());
            if (order < 0) {
                give.add(new Ranked<>(held.get(i++), UNKNOWN));
            } else if (order > 0) {
                Digest d = theirs.get(j++);
                if (!unwanted.test(d.node())) {
                    want.add(new Ranked<>(new Digest(d.node(), 0, 0), UNKNOWN));
                }
            } else {
                NodeState mine = held.get(i++);
                Digest d = theirs.get(j++);
                if (d.isOlderThan(mine)) {
                    give.add(new Ranked<>(mine, gap(d, mine)));
                } else if (d.isNewerThan(mine) && !unwanted.test(d.node())) {
                    want.add(new Ranked<>(Digest.of(mine), gap(mine, d)));
                }
            }
        }
        boolean sendRing = false;
        boolean askRing = false;
        if (ring == null) {
            askRing = syn.ring() != null;
        } else if (syn.ring() == null) {
            sendRing = true;
        } else {
            int order = ringDigest.compareOrder(syn.ring());
            boolean differ = ringDigest.fingerprint() != syn.ring().fingerprint();
            sendRing = order > 0 || order == 0 && differ;
            askRing = order < 0 || order == 0 && differ;
        }
        return new GossipAck(top(give, maxStates, random, NodeState::id), top(want, maxStates, random, Digest::node),
                sendRing ? ring : null, askRing);
    }

    /**
     * The ACK2 answering {@code ack}: the states {@code held} has newer than each want (a want of (0, 0) asks for
     * whatever it has), at most {@code maxStates}, and {@code ring} if asked and held.
     */
    static GossipAck2 ack2(String cluster, Function<NodeId, NodeState> held, Predicate<NodeId> withheld,
            RingState ring, GossipAck ack, int maxStates, Random random) {
        List<Ranked<NodeState>> give = new ArrayList<>();
        for (Digest want : ack.wants()) {
            NodeState mine = withheld.test(want.node()) ? null : held.apply(want.node());
            if (mine == null) {
                continue;
            }
            boolean none = want.generation() == 0 && want.version() == 0;
            if (none || want.isOlderThan(mine)) {
                give.add(new Ranked<>(mine, none ? UNKNOWN : gap(want, mine)));
            }
        }
        return new GossipAck2(cluster, top(give, maxStates, random, NodeState::id), ack.wantsRing() ? ring : null);
    }

    /** How far behind {@code older} is. */
    private static long gap(Digest older, NodeState newer) {
        return newer.generation() > older.generation() ? NEW_GENERATION : newer.version() - older.version();
    }

    private static long gap(NodeState older, Digest newer) {
        return newer.generation() > older.generation() ? NEW_GENERATION : newer.version() - older.version();
    }

    /** The {@code max} highest ranked, ties in random order, returned in id order. */
    private static <T> List<T> top(List<Ranked<T>> items, int max, Random random, Function<T, NodeId> id) {
        List<T> out = new ArrayList<>(Math.min(max, items.size()));
        if (items.size() <= max) {
            // Already in id order: the merge walked both lists in order.
            items.forEach(r -> out.add(r.item));
            return out;
        }
        Collections.shuffle(items, random);
        items.sort(Comparator.comparingLong((Ranked<T> r) -> r.rank).reversed());
        for (int k = 0; k < max; k++) {
            out.add(items.get(k).item);
        }
        out.sort(Comparator.comparing(id));
        return out;
    }

    private record Ranked<T>(T item, long rank) {
    }
}
