package io.chorus.gossip;

import static io.chorus.gossip.GossipSamples.A;
import static io.chorus.gossip.GossipSamples.B;
import static io.chorus.gossip.GossipSamples.C;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pure decisions of an exchange: what goes as a state, what as a heartbeat, what is asked for, the cap. */
class ExchangeTest {

    private static final Random RANDOM = new Random(1);

    /** A table holding {@code a} at heartbeat 10 (content made at 4), {@code b} at 3 (content made at 3). */
    private static NodeTable table() {
        NodeTable t = new NodeTable();
        t.take(new SentState(GossipSamples.starting(A).withRingVersion(1).withRingVersion(2).next(), 3));
        t.heartbeat(new Digest(A, 1, 10, 3));
        t.take(SentState.fresh(GossipSamples.starting(B).next().next()));
        return t;
    }

    private static GossipAck ack(NodeTable t, List<Digest> theirs, int max) {
        return Exchange.ack(Arrays.asList(t.inOrder()), id -> false, null, null, new GossipSyn("c", null, theirs),
                max, RANDOM);
    }

    @Test
    void aLaterHeartbeatOfTheSameContentGoesAsADigestAndNewerContentInFull() {
        NodeTable t = table();
        // They hold a's content (made at 3) at heartbeat 5, and b at an older content.
        GossipAck ack = ack(t, List.of(new Digest(A, 1, 5, 3), new Digest(B, 1, 2, 1)), 10);
        // b's heartbeat goes too, though its state carries the same version: the cap could have held the state back.
        assertThat(ack.heartbeats()).containsExactly(new Digest(A, 1, 10, 3), new Digest(B, 1, 3, 3));
        assertThat(ack.states()).extracting(s -> s.state().id()).containsExactly(B);
        assertThat(ack.states().get(0).contentVersion()).isEqualTo(3);
        assertThat(ack.wants()).isEmpty();
    }

    @Test
    void newerContentOnTheirSideIsAskedForAndLaterLivenessIsNot() {
        NodeTable t = table();
        GossipAck ack = ack(t, List.of(new Digest(A, 1, 12, 11), new Digest(B, 1, 50, 3), new Digest(C, 4, 4, 1)),
                10);
        // a: newer content there (11 > 3); b: same content, later heartbeat (the receiver takes it from the SYN);
        // c: unknown here.
        assertThat(ack.wants()).containsExactly(new Digest(A, 1, 10, 3), Digest.none(C));
        assertThat(ack.states()).isEmpty();
        assertThat(ack.heartbeats()).isEmpty();
    }

    @Test
    void whatTheyDoNotListGoesInFullWithItsLaterHeartbeat() {
        NodeTable t = table();
        GossipAck ack = ack(t, List.of(), 10);
        assertThat(ack.states()).extracting(SentState::contentVersion).containsExactly(3L, 3L);
        // a's state went out at its own version 4; its heartbeat is at 10.
        assertThat(ack.heartbeats()).containsExactly(new Digest(A, 1, 10, 3));
    }

    @Test
    void aNewerGenerationReplacesAndAnOlderOneIsIgnored() {
        NodeTable t = table();
        GossipAck ack = ack(t, List.of(new Digest(A, 0, 99, 99), new Digest(B, 2, 1, 1)), 10);
        assertThat(ack.states()).extracting(s -> s.state().id()).containsExactly(A);
        assertThat(ack.heartbeats()).as("the heartbeat past the state's version")
                .containsExactly(new Digest(A, 1, 10, 3));
        assertThat(ack.wants()).containsExactly(new Digest(B, 1, 3, 3));
    }

    @Test
    void theCapSendsTheMostOutOfDateFirstAndHeartbeatsAreNotCapped() {
        NodeTable t = new NodeTable();
        List<Digest> theirs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            NodeId id = NodeId.of(String.format("n%02d", i));
            NodeState s = GossipSamples.starting(id);
            for (int k = 0; k < i; k++) {
                s = s.withRingVersion(k + 1);
            }
            t.take(SentState.fresh(s));
            t.heartbeat(new Digest(id, 1, 100, s.version()));
            // They hold every node at content version 1, heartbeat 2; n00 they do not know.
            if (i > 0) {
                theirs.add(new Digest(id, 1, 2, 1));
            }
        }
        GossipAck ack = ack(t, theirs, 5);
        // Ranks: n00 unknown to them; then the content that changed longest ago (in heartbeats): n01 (100 - 2).
        assertThat(ack.states()).extracting(s -> s.state().id().name())
                .containsExactly("n00", "n01", "n02", "n03", "n04");
        assertThat(ack.heartbeats()).hasSize(20);
    }

    @Test
    void theAck2AnswersEachWant() {
        NodeTable t = table();
        GossipAck ack = new GossipAck(List.of(), List.of(),
                List.of(new Digest(A, 1, 2, 1), new Digest(B, 1, 3, 3), Digest.none(C)), null, false);
        GossipAck2 ack2 = Exchange.ack2("c", t::entry, id -> false, null, ack, 10, RANDOM);
        assertThat(ack2.states()).extracting(s -> s.state().id()).containsExactly(A);
        assertThat(ack2.heartbeats()).containsExactly(new Digest(A, 1, 10, 3));
        assertThat(ack2.ring()).isNull();
        GossipAck2 withheld = Exchange.ack2("c", t::entry, A::equals, null, ack, 10, RANDOM);
        assertThat(withheld.isEmpty()).isTrue();
    }

    @Test
    void theRingStateGoesToWhoeverHoldsTheSupersededOne() {
        RingState v1 = RingState.initial(A, 1, Claim.create(List.of(Member.of(A)), 8));
        RingState v2 = v1.commit(A, 1, Claim.join(v1.to(), Member.of(B)), List.of());
        RingState raced = v1.commit(B, 1, Claim.join(v1.to(), Member.of(C)), List.of());
        NodeTable t = table();
        assertThat(ringFlags(t, v2, v1)).containsExactly(true, false);
        assertThat(ringFlags(t, v1, v2)).containsExactly(false, true);
        assertThat(ringFlags(t, v2, v2)).containsExactly(false, false);
        assertThat(ringFlags(t, null, v2)).containsExactly(false, true);
        assertThat(ringFlags(t, v2, null)).containsExactly(true, false);
        // The same version by two claimants: the lower-named author's wins.
        assertThat(ringFlags(t, v2, raced)).containsExactly(true, false);
        assertThat(ringFlags(t, raced, v2)).containsExactly(false, true);
        // Equal version and author but other bytes: only the bytes can tell, so both are exchanged.
        RingState twin = new RingState(v2.version(), A, 1, v2.from(), v2.from(), new java.util.BitSet(),
                new java.util.TreeSet<>());
        assertThat(ringFlags(t, v2, twin)).containsExactly(true, true);
    }

    private static List<Boolean> ringFlags(NodeTable t, RingState mine, RingState theirs) {
        GossipSyn syn = new GossipSyn("c", theirs == null ? null : RingDigest.of(theirs), List.of());
        GossipAck ack = Exchange.ack(Arrays.asList(t.inOrder()), id -> false, mine,
                mine == null ? null : RingDigest.of(mine), syn, 10, RANDOM);
        assertThat(ack.ring()).isIn(null, mine);
        return List.of(ack.ring() != null, ack.wantsRing());
    }
}
