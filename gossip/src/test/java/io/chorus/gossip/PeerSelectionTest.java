package io.chorus.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cassandra's peer rules, counted over many seeded rounds. */
class PeerSelectionTest {

    private static List<NodeId> ids(String prefix, int n) {
        List<NodeId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(NodeId.of(prefix + i));
        }
        return out;
    }

    @Test
    void withNoLivePeerASeedIsAlwaysTried() {
        Random random = new Random(3);
        List<NodeId> seeds = ids("s", 2);
        for (int i = 0; i < 100; i++) {
            List<NodeId> picked = PeerSelection.choose(List.of(), List.of(), seeds, random);
            assertThat(picked).hasSize(1);
            assertThat(seeds).contains(picked.get(0));
        }
        assertThat(PeerSelection.choose(List.of(), List.of(), List.of(), random)).isEmpty();
    }

    @Test
    void oneLivePeerEveryRoundTheDeadAndTheSeedsByTheirShares() {
        Random random = new Random(4);
        List<NodeId> live = ids("l", 9);
        List<NodeId> dead = ids("d", 2);
        List<NodeId> seeds = ids("s", 3); // not live: as if every seed were down or a synthetic id
        int rounds = 20_000;
        int toDead = 0;
        int toSeed = 0;
        for (int i = 0; i < rounds; i++) {
            List<NodeId> picked = PeerSelection.choose(live, dead, seeds, random);
            assertThat(live).contains(picked.get(0));
            toDead += picked.stream().filter(dead::contains).count();
            toSeed += picked.stream().filter(seeds::contains).count();
        }
        // unreachable / (live + 1) = 2/10, seeds / (live + unreachable) = 3/11.
        assertThat(toDead / (double) rounds).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.015));
        assertThat(toSeed / (double) rounds).isCloseTo(3 / 11.0, org.assertj.core.data.Offset.offset(0.015));
    }

    @Test
    void aLiveSeedPickedAsThePeerCountsAsTheSeedRound() {
        Random random = new Random(5);
        List<NodeId> live = ids("n", 5);
        List<NodeId> seeds = List.of(live.get(0), live.get(1));
        for (int i = 0; i < 1_000; i++) {
            List<NodeId> picked = PeerSelection.choose(live, List.of(), seeds, random);
            assertThat(picked).doesNotHaveDuplicates();
            if (seeds.contains(picked.get(0))) {
                assertThat(picked).as("gossiped to a seed already").hasSize(1);
            }
        }
    }
}
