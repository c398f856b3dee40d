package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.gossip.NodeTable.Entry;
import io.chorus.ring.RingState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The decisions of a gossip exchange as pure functions of what a node holds and what it was sent: which states and
 * heartbeats an ACK carries and what it asks for, what an ACK2 carries, and who gets the ring state. The agent does
 * the I/O and the merging around them. Stateless.
 *
 * <p><b>Content and liveness apart.</b> A full state goes where the other side's content is older (by generation,
 * then content version, see {@link Digest}); a heartbeat (a digest) goes where its latest heartbeat in the same
 * generation is older. So a node waiting for a new content still hears heartbeats of it from everyone, and a
 * heartbeat costs a digest, not a state. Liveness the SYN's sender has later needs no asking: each of its digests is
 * a heartbeat it heard, and the receiver takes them before it answers (see Gossiper); the ACK asks only for newer
 * content.
 *
 * <p><b>The cap.</b> An ACK or ACK2 carries at most {@code maxStates} full states, so one exchange stays small however
 * large the cluster and however many contents changed at once (a commit changes every node's ring version); what is
 * left goes in later rounds, while heartbeats, digest-sized, are never held back. When more states qualify, the most
 * out of date go first, as in Cassandra: a node the other side does not know at all, then a newer generation, then
 * the content that changed longest ago, ties in random order, so equal ranks do not always favour low ids.
 */
final class Exchange {

    private static final long UNKNOWN = Long.MAX_VALUE;
    private static final long NEW_GENERATION = Long.MAX_VALUE - 1;

    private Exchange() {
    }

    /**
     * The ACK to {@code syn}. {@code held} is every entry this node gossips (not the removed), in id order;
     * {@code unwanted} the nodes it never takes news of (itself, the removed); {@code ring} its ring state or null,
     * with its digest {@code ringDigest}.
     */
    static GossipAck ack(List<Entry> held, Predicate<NodeId> unwanted, RingState ring, RingDigest ringDigest,
            GossipSyn syn, int maxStates, Random random) {
        List<Ranked> give = new ArrayList<>();
        List<Digest> beats = new ArrayList<>();
        List<Digest> want = new ArrayList<>();
        List<Digest> theirs = syn.digests();
        int i = 0;
        int j = 0;
        while (i < held.size() || j < theirs.size()) {
            int order = i == held.size() ? 1 : j == theirs.size() ? -1
                    : compare(held.get(i).id, theirs.get(j).node());
            if (order < 0) {
                Entry mine = held.get(i++);
                give.add(new Ranked(mine, UNKNOWN));
                if (mine.heartbeatAhead()) {
                    beats.add(mine.digest());
                }
            } else if (order > 0) {
                Digest d = theirs.get(j++);
                if (!unwanted.test(d.node())) {
                    want.add(Digest.none(d.node()));
                }
            } else {
                Entry mine = held.get(i++);
                Digest d = theirs.get(j++);
                Digest own = mine.digest();
                offer(mine, own, d, give, beats);
                if (d.contentNewerThan(own) && !unwanted.test(d.node())) {
                    want.add(own);
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
        return new GossipAck(top(give, maxStates, random), beats, want, sendRing ? ring : null, askRing);
    }

    /**
     * The ACK2 answering {@code ack}: what {@code held} has newer than each want (a want of {@code (0, 0, 0)} asks
     * for whatever it has), except the {@code withheld} (removed) nodes; at most {@code maxStates} full states; and
     * {@code ring} if asked and held.
     */
    static GossipAck2 ack2(String cluster, Function<NodeId, Entry> held, Predicate<NodeId> withheld, RingState ring,
            GossipAck ack, int maxStates, Random random) {
        List<Ranked> give = new ArrayList<>();
        List<Digest> beats = new ArrayList<>();
        for (Digest want : ack.wants()) {
            Entry mine = withheld.test(want.node()) ? null : held.apply(want.node());
            if (mine == null) {
                continue;
            }
            if (want.isNone()) {
                give.add(new Ranked(mine, UNKNOWN));
                if (mine.heartbeatAhead()) {
                    beats.add(mine.digest());
                }
            } else {
                offer(mine, mine.digest(), want, give, beats);
            }
        }
        return new GossipAck2(cluster, top(give, maxStates, random), beats, ack.wantsRing() ? ring : null);
    }

    /** What {@code mine} (with digest {@code own}) has for a side that holds {@code theirs}. */
    private static void offer(Entry mine, Digest own, Digest theirs, List<Ranked> give, List<Digest> beats) {
        if (own.contentNewerThan(theirs)) {
            boolean newGeneration = own.generation() > theirs.generation();
            // Rank by how long ago the content changed (in heartbeats of its owner): the longer the other side has
            // been without it.
            give.add(new Ranked(mine, newGeneration ? NEW_GENERATION : own.version() - own.contentVersion()));
            if (newGeneration && mine.heartbeatAhead()) {
                beats.add(own);
            }
        }
        // Even with the state: the cap may hold it back, and liveness must not wait for content.
        if (own.aliveLaterThan(theirs)) {
            beats.add(own);
        }
    }

    /** Ids are compared often; the same instance (a node's own id, a shared one) costs nothing. */
    private static int compare(NodeId a, NodeId b) {
        return a == b ? 0 : a.compareTo(b);
    }

    /** The {@code max} highest ranked, ties in random order, as states in id order. */
    private static List<SentState> top(List<Ranked> items, int max, Random random) {
        List<Ranked> chosen = items;
        if (items.size() > max) {
            Collections.shuffle(items, random);
            items.sort(Comparator.comparingLong((Ranked r) -> r.rank).reversed());
            chosen = new ArrayList<>(items.subList(0, max));
            chosen.sort(Comparator.comparing((Ranked r) -> r.entry.id));
        }
        // Otherwise already in id order: the callers walk their lists in order.
        List<SentState> out = new ArrayList<>(chosen.size());
        for (Ranked r : chosen) {
            out.add(r.entry.sent());
        }
        return out;
    }

    private record Ranked(Entry entry, long rank) {
    }
}
