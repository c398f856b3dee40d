package io.chorus.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.testkit.NetworkConditions;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The failure detector inside the gossip agent on the simulated network: a crash is convicted everywhere within a
 * bound and a restart is seen at once; a pause of the node itself convicts nobody; a lossy network convicts nobody.
 */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class GossipFailureDetectionTest {

    private static final long S = 1_000;
    /** Seeds of the lossy run; the soak profile asks for more with -Dchorus.seedCount. */
    private static final int LOSSY_SEEDS = Integer.getInteger("chorus.seedCount", 4);

    /**
     * The conviction bound for a 10-node cluster, from the detector's settings: the victim's last heartbeat reaches
     * every node within about log2(10) ≈ 3.3 rounds (3 rounds measured, GossipConvergenceTest); from there a node
     * is convicted after {@code mean + 5 s + 5.226 max(σ, 0.1 s)} of silence (phi = 8), with second-hand
     * heartbeats about a second apart, σ at most about 0.5 s: 1 + 5 + 2.6 = 8.6 s; the next round (at most 1 s)
     * notices. So 3.3 + 8.6 + 1 ≈ 13 s after the crash; 15 s leaves room for the tail of the spread. Measured: see
     * the printed line.
     */
    private static final long CONVICTION_BOUND_MS = 15 * S;

    @Test
    void aCrashedNodeIsConvictedEverywhereAndSeenAgainAfterItRestarts(Simulation sim) {
        SimGossipCluster c = new SimGossipCluster(sim, 10, 3, GossipConfig.DEFAULTS);
        c.startAll();
        assertThat(c.roundsUntil(() -> c.converged(c.initialRing), 30)).isPositive();
        sim.advance(60 * S); // a minute of history for every detector

        NodeId victim = c.id(5);
        Map<NodeId, Long> convictedAt = new HashMap<>();
        for (NodeId id : c.ids) {
            if (!id.equals(victim)) {
                c.agent(id).addListener(v -> {
                    if (v.status(victim) == NodeStatus.DOWN) {
                        convictedAt.putIfAbsent(id, sim.clock().elapsedMillis());
                    }
                });
            }
        }
        long crashed = sim.clock().elapsedMillis();
        c.crash(victim);
        assertThat(sim.runUntil(() -> convictedAt.size() == 9, 60 * S)).as("convicted by all 9, %s", convictedAt)
                .isTrue();
        long first = convictedAt.values().stream().mapToLong(t -> t - crashed).min().orElseThrow();
        long last = convictedAt.values().stream().mapToLong(t -> t - crashed).max().orElseThrow();
        assertThat(last).as("ms from the crash to the last conviction").isLessThan(CONVICTION_BOUND_MS);
        // Not before the detector's floor: acceptable pause plus a mean interval.
        assertThat(first).as("ms from the crash to the first conviction").isGreaterThan(6 * S);
        for (NodeId id : c.ids) {
            if (!id.equals(victim)) {
                assertThat(c.agent(id).view().isAlive(victim)).isFalse();
                assertThat(c.agent(id).view().liveMembers()).hasSize(9).doesNotContain(victim);
            }
        }

        long restarted = sim.clock().elapsedMillis();
        Gossiper back = c.restart(victim);
        assertThat(sim.runUntil(() -> c.converged(c.initialRing), 30 * S)).as("all alive again, the new one too")
                .isTrue();
        long seenBack = sim.clock().elapsedMillis() - restarted;
        for (NodeId id : c.ids) {
            MembershipView v = c.agent(id).view();
            assertThat(v.state(victim).generation()).as("%s holds the new generation", id).isEqualTo(2);
            if (!id.equals(victim)) {
                assertThat(c.agent(id).stats().rejoins()).as("%s saw it come back", id).isEqualTo(1);
                assertThat(c.agent(id).stats().convictions()).as("%s convicted only it", id).isEqualTo(1);
            }
        }
        assertThat(back.view().ring()).isEqualTo(c.initialRing);
        System.out.printf("crash of 1 of 10: convicted %d..%d ms after (bound %d); restart seen by all in %d ms%n",
                first, last, CONVICTION_BOUND_MS, seenBack);
    }

    /**
     * A node that stops running for 10 s (its timers and message hand-offs wait, the clock goes on) convicts nobody
     * when it resumes, whichever runs first: its round (which would judge everyone after 10 s of silence, had it not
     * ticked the detector first) or the messages that waited (whose heartbeats would find their nodes silent for the
     * whole pause and restart their histories as after an outage, had the agent not ticked first). The others may
     * convict it meanwhile (it was silent past the detector's bound) and see it again after.
     */
    @ParameterizedTest(name = "hand-offs first: {0}")
    @ValueSource(booleans = {false, true})
    void aNodePausedForTenSecondsConvictsNobodyWhenItResumes(boolean handOffsFirst, Simulation sim) {
        Map<NodeId, PausableScheduler> pausable = new HashMap<>();
        SimGossipCluster c = new SimGossipCluster(sim, 10, 3, GossipConfig.DEFAULTS, id -> {
            PausableScheduler s = new PausableScheduler(sim.scheduler());
            pausable.put(id, s);
            return s;
        });
        c.startAll();
        assertThat(c.roundsUntil(() -> c.converged(c.initialRing), 30)).isPositive();
        sim.advance(60 * S);

        NodeId paused = c.id(4);
        Gossiper agent = c.agent(paused);
        boolean[] sawDown = new boolean[1];
        agent.addListener(v -> sawDown[0] |= !v.downMembers().isEmpty());
        long outagesBefore = agent.stats().outagesEnded();
        pausable.get(paused).pause();
        sim.advance(10 * S);
        int waited = pausable.get(paused).resume(handOffsFirst);
        sim.advance(30 * S);

        // Its own round and at least one message handed off to it; how many messages depends on whom the others
        // picked (seed 0xb1d39db48fe4e468 of the CI's random base: exactly 5 in all).
        assertThat(waited).as("tasks that waited through the pause").isGreaterThan(1);
        assertThat(agent.stats().pausesDetected()).isEqualTo(1);
        assertThat(agent.stats().convictions()).as("convictions by the paused node").isZero();
        assertThat(sawDown[0]).as("the paused node ever showed someone down").isFalse();
        assertThat(agent.stats().outagesEnded() - outagesBefore).as("histories restarted by the paused node")
                .isZero();
        assertThat(c.converged(c.initialRing)).as("everyone alive everywhere after").isTrue();
        long byOthers = c.total(GossipStats::convictions);
        assertThat(c.total(GossipStats::rejoins)).as("every conviction of the paused node undone").isEqualTo(byOthers);
        System.out.printf("10 s pause of 1 of 10 (%s first): %d tasks waited; 0 convictions by it, %d of it by the"
                + " others%n", handOffsFirst ? "hand-offs" : "timers", waited, byOthers);
    }

    /**
     * 10% of messages dropped (and 1% duplicated) for ten virtual minutes: no false conviction at the default
     * threshold, across several seeds; the cluster still converges.
     */
    @Test
    void aLossyNetworkConvictsNobody() {
        SimulationSeeds.forEachSeed(LOSSY_SEEDS, seed -> {
            Simulation sim = new Simulation(seed, NetworkConditions.DEFAULT.withDropProbability(0.10)
                    .withDuplicateProbability(0.01));
            SimGossipCluster c = new SimGossipCluster(sim, 30, 3, GossipConfig.DEFAULTS);
            c.startAll();
            assertThat(c.roundsUntil(() -> c.converged(c.initialRing), 60)).as("converges at 10%% loss").isPositive();
            for (int minute = 0; minute < 10; minute++) {
                sim.scheduler().runFor(60, TimeUnit.SECONDS);
                assertThat(c.total(GossipStats::convictions)).as("false convictions by minute %d", minute + 1)
                        .isZero();
            }
            assertThat(c.converged(c.initialRing)).isTrue();
            assertThat(c.total(GossipStats::failedExchanges)).as("exchanges lost").isPositive();
        });
    }
}
