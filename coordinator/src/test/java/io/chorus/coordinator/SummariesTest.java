package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.SimulationSeeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The law a sync relies on: from two causal summaries alone, {@link Summaries#decide} says exactly what merging the
 * full states would change on each side. Checked on pairs of replica states from random histories (writes through
 * several actors from stale contexts, deletes, partial syncs), against the full merge.
 */
@Tag(SimulationSeeds.TAG)
class SummariesTest {

    private static final ActorId[] ACTORS = {ActorId.of("a", 1), ActorId.of("b", 1), ActorId.of("c", 7)};

    @Test
    void decidingOnSummariesAgreesWithTheFullMerge() {
        SimulationSeeds.forEachSeed(300, seed -> {
            Random rnd = new Random(seed);
            List<SiblingSet> replicas = new ArrayList<>(List.of(SiblingSet.empty(), SiblingSet.empty(),
                    SiblingSet.empty()));
            List<VersionVector> contexts = new ArrayList<>(List.of(VersionVector.empty()));
            for (int step = 0; step < 40; step++) {
                int r = rnd.nextInt(replicas.size());
                SiblingSet s = replicas.get(r);
                switch (rnd.nextInt(4)) {
                    case 0, 1 -> {
                        // A write from a context read some time ago, maybe a delete.
                        VersionVector ctx = contexts.get(rnd.nextInt(contexts.size()));
                        byte[] value = rnd.nextInt(5) == 0 ? null : ("v" + step).getBytes(StandardCharsets.UTF_8);
                        replicas.set(r, s.update(ctx, ACTORS[r], value, step));
                    }
                    case 2 -> replicas.set(r, s.merge(replicas.get(rnd.nextInt(replicas.size()))));
                    default -> contexts.add(s.context());
                }
                for (SiblingSet a : replicas) {
                    for (SiblingSet b : replicas) {
                        check(a, b);
                    }
                    check(a, SiblingSet.empty());
                    check(SiblingSet.empty(), a);
                }
            }
        });
    }

    private static void check(SiblingSet mine, SiblingSet theirs) {
        SiblingSet merged = mine.merge(theirs);
        boolean fetch = !merged.equals(mine);
        boolean push = !merged.equals(theirs);
        Summaries.Move expected = fetch && push ? Summaries.Move.BOTH : fetch ? Summaries.Move.FETCH
                : push ? Summaries.Move.PUSH : Summaries.Move.NONE;
        assertThat(Summaries.decide(Summaries.summary(mine), Summaries.summary(theirs)))
                .as("mine %s, theirs %s", mine, theirs).isEqualTo(expected);
    }

    @Test
    void aSummaryKeepsClockDotsAndTombstonesAndDropsValues() {
        SiblingSet s = SiblingSet.empty().update(VersionVector.empty(), ACTORS[0], "big".getBytes(
                StandardCharsets.UTF_8), 99);
        SiblingSet deleted = s.update(s.context(), ACTORS[1], null, 100);
        SiblingSet summary = Summaries.summary(deleted);
        assertThat(summary.context()).isEqualTo(deleted.context());
        assertThat(summary.siblings()).singleElement().satisfies(x -> {
            assertThat(x.isTombstone()).isTrue();
            assertThat(x.timestamp()).isZero();
        });
        assertThat(Summaries.summary(s).siblings()).singleElement().satisfies(x -> assertThat(x.valueLength())
                .isZero());
    }
}
