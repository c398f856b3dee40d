package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static io.chorus.coordinator.SimCluster.liveValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node outside the key's preference list forwards to a replica, which coordinates and stamps the dot. */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class ForwardingTest {

    @Test
    void nonReplicaForwardsToAReplica(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = bytes("forwarded");
        List<NodeId> replicas = c.replicas(key, 3);
        List<NodeId> others = c.nonReplicas(key, 3);
        Coordinator outsider = c.coordinator(others.get(0));

        SiblingSet written = c.await(outsider.put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        assertThat(liveValues(written)).containsExactly("v");
        NodeId stamper = written.siblings().get(0).dot().actor().node();
        assertThat(replicas).as("the dot's actor is a replica").contains(stamper);
        assertThat(stamper).as("the first alive replica coordinates").isEqualTo(replicas.get(0));
        assertThat(outsider.stats().forwards()).isEqualTo(1);

        SiblingSet read = c.await(c.coordinator(others.get(1)).get(key, QuorumOptions.DEFAULT));
        assertThat(liveValues(read)).containsExactly("v");
        c.sim.advance(1_000);
        for (NodeId other : others) {
            assertThat(c.stored(other, key).isEmpty()).isTrue();
        }
    }

    @Test
    void forwardSkipsAReplicaThatRefusesConnections(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = bytes("k2");
        List<NodeId> replicas = c.replicas(key, 3);
        // The first replica's transport is closed: connections are refused, so the forward moves on.
        c.coordinator(replicas.get(0)).close();
        c.sim.network().transport(replicas.get(0)).close();
        SiblingSet written = c.await(c.coordinator(c.nonReplicas(key, 3).get(0))
                .put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        assertThat(written.siblings().get(0).dot().actor().node()).isEqualTo(replicas.get(1));
    }

    /**
     * A replica that does not count the forwarding node a member yet (it joined, and gossip has not reached that
     * replica) refuses unrun with FORBIDDEN: even a write moves on to the next replica, and runs once.
     */
    @Test
    void aForwardRefusedByAReplicaMovesOnEvenForAWrite(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = bytes("k5");
        List<NodeId> replicas = c.replicas(key, 3);
        refuseEveryone(c, replicas.get(0));
        SiblingSet written = c.await(c.coordinator(c.nonReplicas(key, 3).get(0))
                .put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        assertThat(written.siblings()).hasSize(1);
        assertThat(written.siblings().get(0).dot().actor().node()).isEqualTo(replicas.get(1));
    }

    /** Refused by every replica, the forward fails UNAVAILABLE (the client is not the one forbidden), run nowhere. */
    @Test
    void aForwardRefusedByEveryReplicaIsUnavailable(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = bytes("k6");
        List<NodeId> replicas = c.replicas(key, 3);
        replicas.forEach(r -> refuseEveryone(c, r));
        Throwable failure = c.awaitFailure(c.coordinator(c.nonReplicas(key, 3).get(0))
                .put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        assertThat(((ChorusException) failure).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(failure.getMessage()).contains("is not a member");
        for (NodeId r : replicas) {
            assertThat(c.stored(r, key).isEmpty()).isTrue();
        }
    }

    /** {@code node} answers every message FORBIDDEN, as a node that has not heard of the sender yet. */
    private static void refuseEveryone(SimCluster c, NodeId node) {
        c.sim.network().transport(node).serve((from, request) -> java.util.concurrent.CompletableFuture.failedFuture(
                new ChorusException(ErrorCode.FORBIDDEN, from + " is not a member of cluster test")));
    }

    /**
     * A forwarded write whose replica took it and then lost its connection before answering may have run: it is
     * not sent to the next replica (a second run would add a second sibling); its outcome is reported unknown.
     */
    @Test
    void aForwardedWriteLostInFlightIsNotSentAgain(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = bytes("k4");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId first = replicas.get(0);
        List<NodeId> outsiders = c.nonReplicas(key, 3);
        // The first replica takes the write but cannot reach the other two, so it is still waiting when it goes.
        c.sim.network().partition(java.util.Set.of(first, outsiders.get(0), outsiders.get(1)),
                java.util.Set.of(replicas.get(1), replicas.get(2)));
        var forwarded = c.coordinator(outsiders.get(0)).put(key, VersionVector.empty(), bytes("v"),
                QuorumOptions.DEFAULT);
        assertThat(c.sim.runUntil(() -> !c.stored(first, key).isEmpty(), 5_000)).isTrue();
        c.sim.network().transport(first).close();
        c.sim.network().heal();
        Throwable failure = c.awaitFailure(forwarded);
        assertThat(((ChorusException) failure).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        c.sim.advance(5_000);
        for (NodeId other : replicas.subList(1, 3)) {
            assertThat(c.stored(other, key).isEmpty()).as("never coordinated by %s", other).isTrue();
        }
    }

    @Test
    void aForwardReachingANonReplicaIsRefusedNotForwardedAgain(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = bytes("k3");
        NodeId outsider = c.nonReplicas(key, 3).get(0);
        Message forward = Forward.of(Forward.GET, key, VersionVector.empty(), null, new QuorumOptions(3, 2, 0, 0),
                new Quorum(3, 2, 1000)).encode();
        var reply = c.sim.network().transport(c.nonReplicas(key, 3).get(1)).request(outsider, forward, 5_000);
        Throwable failure = c.awaitFailure(reply);
        assertThat(((ChorusException) failure).code()).isEqualTo(ErrorCode.NOT_A_REPLICA);
    }

    /**
     * A node whose ring is still the first node's alone (a cluster growing; gossip has not brought it the joins)
     * shrinks a default N to 1 and forwards to that node, which is the key's second replica in the ring it has. The
     * default travels unresolved, so the receiver coordinates with N = 3 of its own ring, as it would a client's
     * request (resolved at the sender, N = 1 named another first replica there, and the read was refused).
     */
    @Test
    void aDefaultNShrunkByAStaleRingIsResolvedByTheReceiver(Simulation sim) {
        SimCluster c = new SimCluster(sim, 5, CoordinatorConfig.defaults());
        byte[] key = keyWhere(c, k -> c.replicas(k, 3).get(1).equals(c.ids.get(0)));
        NodeId seed = c.ids.get(0);
        NodeId stale = c.nonReplicas(key, 3).get(0);
        c.await(c.coordinator(c.replicas(key, 3).get(0)).put(key, VersionVector.empty(), bytes("v"),
                QuorumOptions.DEFAULT));
        c.setStaleRing(stale, RingState.of(Claim.create(List.of(Member.of(seed)), c.ring.partitionCount())));

        SiblingSet read = c.await(c.coordinator(stale).get(key, QuorumOptions.DEFAULT));
        assertThat(liveValues(read)).containsExactly("v");
        SiblingSet written = c.await(c.coordinator(stale).put(key, read.context(), bytes("w"),
                QuorumOptions.DEFAULT));
        assertThat(liveValues(written)).containsExactly("w");
        assertThat(written.siblings().get(0).dot().actor().node()).isEqualTo(seed);
    }

    /**
     * The rings of two nodes disagree on a key's replicas (a node joined and partitions moved; gossip has brought
     * the new ring to one of them): a replica of the forwarding node's ring that is none in its own refuses unrun
     * with NOT_A_REPLICA, and even a write moves on to the next, which is a replica in both, and runs once.
     */
    @Test
    void aForwardRefusedAsNotAReplicaMovesOnEvenForAWrite(Simulation sim) {
        SimCluster c = new SimCluster(sim, 6, CoordinatorConfig.defaults());
        // The ring before the sixth node joined: its partitions sit elsewhere.
        Ring other = Claim.create(c.ids.subList(0, 5).stream().map(Member::of).toList(), c.ring.partitionCount());
        // A key whose first replica in the other ring is none in the real one, its second a real replica, and an
        // outsider of both rings to forward from.
        byte[] key = keyWhere(c, k -> {
            List<NodeId> stalePrimaries = other.preferenceList(other.partitionOf(k), 3);
            List<NodeId> real = c.replicas(k, 3);
            return !real.contains(stalePrimaries.get(0)) && real.contains(stalePrimaries.get(1))
                    && c.ids.stream().anyMatch(n -> !real.contains(n) && !stalePrimaries.contains(n));
        });
        List<NodeId> stalePrimaries = other.preferenceList(other.partitionOf(key), 3);
        List<NodeId> real = c.replicas(key, 3);
        NodeId stale = c.ids.stream().filter(n -> !real.contains(n) && !stalePrimaries.contains(n)).findFirst()
                .orElseThrow();
        c.setStaleRing(stale, RingState.of(other));

        SiblingSet written = c.await(c.coordinator(stale).put(key, VersionVector.empty(), bytes("v"),
                QuorumOptions.DEFAULT));
        assertThat(written.siblings()).hasSize(1);
        assertThat(written.siblings().get(0).dot().actor().node()).isEqualTo(stalePrimaries.get(1));
        c.sim.advance(1_000);
        assertThat(c.stored(stalePrimaries.get(0), key).isEmpty()).as("the refusing node ran nothing").isTrue();
    }

    /**
     * Every replica refuses a forward as NOT_A_REPLICA: their rings leave them out (joins committed, gossip still
     * on its way). The forwarding node routes it again after pauses, and once the rings agree it runs, once.
     */
    @Test
    void aForwardRefusedWhileRingsDisagreeIsRoutedAgainUntilTheyAgree(Simulation sim) {
        SimCluster c = new SimCluster(sim, 6, CoordinatorConfig.defaults());
        byte[] key = bytes("k7");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId outsider = c.nonReplicas(key, 3).get(0);
        leaveOut(c, replicas, key);
        long start = sim.clock().nanoTime();
        sim.scheduler().schedule(() -> replicas.forEach(c::clearStaleRing), 300,
                java.util.concurrent.TimeUnit.MILLISECONDS);

        SiblingSet written = c.await(c.coordinator(outsider).put(key, VersionVector.empty(), bytes("v"),
                QuorumOptions.DEFAULT));
        assertThat((sim.clock().nanoTime() - start) / 1_000_000).as("ran once the rings agreed")
                .isGreaterThanOrEqualTo(300);
        assertThat(written.siblings()).hasSize(1);
        assertThat(replicas).contains(written.siblings().get(0).dot().actor().node());
        assertThat(liveValues(c.await(c.coordinator(outsider).get(key, QuorumOptions.DEFAULT))))
                .containsExactly("v");
        c.sim.advance(1_000);
        for (NodeId r : replicas) {
            assertThat(c.stored(r, key).siblings()).as("one run, on %s", r).hasSize(1);
        }
    }

    /** Rings that never agree: the forward fails UNAVAILABLE at its deadline, not before, and ran nowhere. */
    @Test
    void aForwardRefusedUntilItsDeadlineIsUnavailable(Simulation sim) {
        SimCluster c = new SimCluster(sim, 6, CoordinatorConfig.defaults());
        byte[] key = bytes("k8");
        List<NodeId> replicas = c.replicas(key, 3);
        leaveOut(c, replicas, key);
        long start = sim.clock().nanoTime();
        Throwable failure = c.awaitFailure(c.coordinator(c.nonReplicas(key, 3).get(0)).put(key,
                VersionVector.empty(), bytes("v"), new QuorumOptions(0, 0, 0, 1_000)));
        long tookMillis = (sim.clock().nanoTime() - start) / 1_000_000;
        assertThat(((ChorusException) failure).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(failure.getMessage()).contains("no replica takes a forward").contains("is not among");
        assertThat(tookMillis).as("tried again until about its deadline").isBetween(500L, 1_000L);
        for (NodeId n : c.ids) {
            assertThat(c.stored(n, key).isEmpty()).as("nothing on %s", n).isTrue();
        }
    }

    /** Gives each of {@code replicas} a ring of the other nodes only, in which it is no replica of {@code key}. */
    private static void leaveOut(SimCluster c, List<NodeId> replicas, byte[] key) {
        Ring others = Claim.create(c.nonReplicas(key, 3).stream().map(Member::of).toList(),
                c.ring.partitionCount());
        for (NodeId r : replicas) {
            assertThat(others.preferenceList(others.partitionOf(key), 3)).doesNotContain(r);
            c.setStaleRing(r, RingState.of(others));
        }
    }

    private static byte[] keyWhere(SimCluster c, java.util.function.Predicate<byte[]> wanted) {
        for (int i = 0; i < 10_000; i++) {
            byte[] key = bytes("key-" + i);
            if (wanted.test(key)) {
                return key;
            }
        }
        throw new AssertionError("no key of 10 000 fits");
    }
}
