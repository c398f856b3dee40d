package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.coordinator.ReadQuorum.Verdict;
import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.QuorumException;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The read's quorum decisions without a cluster: seeded random replica counts, outcomes (a state, not found, an
 * error), reply orders and duplicates, checked against a model after every reply. A failure names its seed.
 */
@Tag(SimulationSeeds.TAG)
class ReadQuorumTest {

    /** One replica's reply in a scenario: its state, or null for an error. */
    private record Reply(NodeId replica, SiblingSet state) {
    }

    @Test
    void decisionsFollowTheModelWhateverTheOrderAndOutcomes() {
        SimulationSeeds.forEachSeed(500, seed -> {
            Random random = new Random(seed);
            int n = 1 + random.nextInt(7);
            int r = 1 + random.nextInt(n);
            List<SiblingSet> states = states(random);
            List<Reply> replies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                NodeId replica = NodeId.of("r" + i);
                int outcome = random.nextInt(4);
                replies.add(new Reply(replica, outcome == 0 ? null
                        : outcome == 1 ? SiblingSet.empty() : states.get(random.nextInt(states.size()))));
            }
            Collections.shuffle(replies, random);
            // Some replies arrive twice, anywhere later (a duplicated message): they must change nothing.
            List<Reply> arrivals = new ArrayList<>(replies);
            for (Reply reply : replies) {
                if (random.nextInt(4) == 0) {
                    arrivals.add(arrivals.indexOf(reply) + 1 + random.nextInt(arrivals.size()
                            - arrivals.indexOf(reply)), random.nextBoolean() ? reply : new Reply(reply.replica(),
                                    reply.state() == null ? SiblingSet.empty() : null));
                }
            }

            ReadQuorum quorum = new ReadQuorum(r, n);
            Map<NodeId, SiblingSet> okSoFar = new LinkedHashMap<>();
            Set<NodeId> failedSoFar = new HashSet<>();
            Verdict decided = Verdict.PENDING;
            for (Reply reply : arrivals) {
                boolean first = !okSoFar.containsKey(reply.replica()) && !failedSoFar.contains(reply.replica());
                boolean counted = reply.state() == null ? quorum.error(reply.replica())
                        : reply.state().isEmpty() ? quorum.notFound(reply.replica())
                        : quorum.ok(reply.replica(), reply.state());
                assertThat(counted).as("each replica counts once (seed %d)", seed).isEqualTo(first);
                if (first) {
                    if (reply.state() == null) {
                        failedSoFar.add(reply.replica());
                    } else {
                        okSoFar.put(reply.replica(), reply.state());
                    }
                }
                Verdict expected = okSoFar.size() >= r ? Verdict.ENOUGH
                        : n - failedSoFar.size() < r ? Verdict.IMPOSSIBLE : Verdict.PENDING;
                assertThat(quorum.verdict()).as("n=%d r=%d after %s (seed %d)", n, r, reply, seed)
                        .isEqualTo(expected);
                if (decided != Verdict.PENDING) {
                    assertThat(quorum.verdict()).as("a verdict is final (seed %d)", seed).isEqualTo(decided);
                }
                decided = quorum.verdict();
                assertThat(quorum.acks()).isEqualTo(okSoFar.size());
                assertThat(quorum.errors()).isEqualTo(failedSoFar.size());
                assertThat(quorum.merged()).isEqualTo(mergeOf(okSoFar.values()));
            }

            // The answer and the repairs depend on which replies came, not on their order.
            List<Reply> reordered = new ArrayList<>(replies);
            Collections.shuffle(reordered, random);
            ReadQuorum again = new ReadQuorum(r, n);
            for (Reply reply : reordered) {
                if (reply.state() == null) {
                    again.error(reply.replica());
                } else {
                    again.ok(reply.replica(), reply.state());
                }
            }
            assertThat(again.merged()).as("seed %d", seed).isEqualTo(quorum.merged());
            assertThat(again.verdict()).isEqualTo(quorum.verdict());
            assertThat(Set.copyOf(again.staleReplicas())).isEqualTo(Set.copyOf(quorum.staleReplicas()));

            // Exactly the repliers that lack something of the merge are repaired, not-found ones included, and
            // never one that failed; after the repairs every replier holds the merge.
            SiblingSet merged = quorum.merged();
            Set<NodeId> stale = Set.copyOf(quorum.staleReplicas());
            for (Reply reply : replies) {
                boolean lacks = reply.state() != null && !reply.state().includes(merged);
                assertThat(stale.contains(reply.replica())).as("%s stale? (seed %d)", reply, seed).isEqualTo(lacks);
                if (reply.state() != null) {
                    SiblingSet after = stale.contains(reply.replica()) ? reply.state().merge(merged) : reply.state();
                    assertThat(after.includes(merged)).isTrue();
                }
            }
            if (!merged.isEmpty()) {
                for (Reply reply : replies) {
                    if (reply.state() != null && reply.state().isEmpty()) {
                        assertThat(stale).as("a not-found replica is repaired (seed %d)", seed)
                                .contains(reply.replica());
                    }
                }
            }
            if (quorum.verdict() == Verdict.IMPOSSIBLE) {
                QuorumException failure = quorum.notMet();
                assertThat(failure.code()).isEqualTo(ErrorCode.QUORUM_NOT_MET);
                assertThat(failure.acks()).isEqualTo(quorum.acks()).isLessThan(r);
                assertThat(failure.required()).isEqualTo(r);
            }
        });
    }

    @Test
    void notFoundIsASuccessAndATimeoutCarriesTheAcks() {
        ReadQuorum quorum = new ReadQuorum(2, 3);
        assertThat(quorum.notFound(NodeId.of("a"))).isTrue();
        assertThat(quorum.verdict()).isEqualTo(Verdict.PENDING);
        assertThat(quorum.error(NodeId.of("b"))).isTrue();
        assertThat(quorum.verdict()).isEqualTo(Verdict.PENDING);
        QuorumException timeout = quorum.timedOut(2_000);
        assertThat(timeout.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(timeout.acks()).isEqualTo(1);
        assertThat(timeout.required()).isEqualTo(2);
        assertThat(quorum.notFound(NodeId.of("c"))).isTrue();
        assertThat(quorum.verdict()).isEqualTo(Verdict.ENOUGH);
        assertThat(quorum.merged().isEmpty()).isTrue();
        assertThat(quorum.staleReplicas()).isEmpty();
    }

    /**
     * A few states of one key as replicas may hold them: overwrites, blind writes and concurrent writes of three
     * actors, each of which stamps its writes on its own latest state (as a coordinator does), having maybe merged
     * another replica's state first.
     */
    private static List<SiblingSet> states(Random random) {
        List<SiblingSet> states = new ArrayList<>();
        Map<String, SiblingSet> local = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            String name = "abc".substring(random.nextInt(3)).substring(0, 1);
            SiblingSet base = local.getOrDefault(name, SiblingSet.empty());
            if (!states.isEmpty() && random.nextBoolean()) {
                base = base.merge(states.get(random.nextInt(states.size())));
            }
            VersionVector context = random.nextBoolean() ? base.context() : VersionVector.empty();
            SiblingSet written = base.update(context, ActorId.of(name, 1),
                    random.nextInt(5) == 0 ? null : bytes("v" + i), i + 1);
            local.put(name, written);
            states.add(written);
        }
        return states;
    }

    private static SiblingSet mergeOf(Iterable<SiblingSet> sets) {
        SiblingSet merged = SiblingSet.empty();
        for (SiblingSet s : sets) {
            merged = merged.merge(s);
        }
        return merged;
    }
}
