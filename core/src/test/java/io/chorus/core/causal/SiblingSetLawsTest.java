package io.chorus.core.causal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The DVVSet laws, checked over thousands of seeded random histories. Failures print the seed to replay. */
@Tag(Seeds.TAG)
class SiblingSetLawsTest {

    private static final int HISTORIES = 2000;

    @Test
    void mergeIsCommutativeAssociativeAndIdempotent() {
        Seeds.forEach(HISTORIES, seed -> {
            History h = new History(seed, 4, 3).run(40);
            for (int i = 0; i < 20; i++) {
                SiblingSet a = h.anyReached();
                SiblingSet b = h.anyReached();
                SiblingSet c = h.anyReached();
                assertThat(a.merge(b)).as("commutative, seed %d", seed).isEqualTo(b.merge(a));
                assertThat(a.merge(b).merge(c)).as("associative, seed %d", seed).isEqualTo(a.merge(b.merge(c)));
                assertThat(a.merge(a)).as("idempotent, seed %d", seed).isEqualTo(a);
                assertThat(a.merge(SiblingSet.empty())).as("empty is identity, seed %d", seed).isEqualTo(a);
                assertThat(a.merge(b).context().descends(a.context())).as("clock grows, seed %d", seed).isTrue();
            }
        });
    }

    @Test
    void afterFullSyncExactlyTheWritesNoContextCoveredSurvive() {
        Seeds.forEach(HISTORIES, seed -> {
            History h = new History(seed, 3, 4).run(60);
            Set<Dot> expected = h.writes.stream()
                    .filter(w -> h.writes.stream().noneMatch(later -> later.context().covers(w.dot())))
                    .map(History.Write::dot)
                    .collect(Collectors.toSet());
            Set<Dot> survivors = h.converged().siblings().stream().map(Sibling::dot).collect(Collectors.toSet());
            assertThat(survivors).as("no lost update and no resurrection, seed %d", seed).isEqualTo(expected);
        });
    }

    @Test
    void updateWithAReadContextSupersedesExactlyWhatWasRead() {
        Seeds.forEach(HISTORIES, seed -> {
            History h = new History(seed, 3, 2).run(30);
            SiblingSet local = h.replicas[0];
            VersionVector read = h.anyReached().context();
            SiblingSet written = local.update(read, h.actors[0], "new".getBytes(), 1);
            Dot fresh = local.nextDot(h.actors[0], read);

            List<Dot> kept = local.siblings().stream().map(Sibling::dot).filter(d -> !read.covers(d)).toList();
            assertThat(written.siblings()).extracting(Sibling::dot)
                    .as("keeps the unread siblings and adds one, seed %d", seed)
                    .containsExactlyInAnyOrderElementsOf(concat(kept, fresh));

            SiblingSet other = h.anyReached();
            SiblingSet synced = written.merge(other);
            assertThat(synced.siblings()).extracting(Sibling::dot)
                    .as("nothing the reader saw comes back from another replica, seed %d", seed)
                    .noneMatch(read::covers)
                    .contains(fresh);
        });
    }

    @Test
    void concurrentPutsWithTheSameContextBothSurviveAndAMergedContextCollapsesThem() {
        Seeds.forEach(HISTORIES, seed -> {
            History h = new History(seed, 3, 2).run(30);
            SiblingSet base = h.converged();
            VersionVector ctx = base.context();
            SiblingSet x = base.update(ctx, h.actors[0], "x".getBytes(), 1);
            SiblingSet y = base.update(ctx, h.actors[1], "y".getBytes(), 2);
            SiblingSet both = x.merge(y);
            assertThat(both.liveSiblings()).extracting(s -> new String(s.value()))
                    .as("seed %d", seed).containsExactlyInAnyOrder("x", "y");

            SiblingSet resolved = both.update(both.context(), h.actors[2], "xy".getBytes(), 3);
            assertThat(resolved.siblings()).as("seed %d", seed).hasSize(1);
            assertThat(resolved.merge(x).merge(y).merge(base)).as("stale replicas cannot revive, seed %d", seed)
                    .isEqualTo(resolved);
        });
    }

    @Test
    void clockCoversEverySiblingAndDotsAreUnique() {
        Seeds.forEach(HISTORIES, seed -> {
            History h = new History(seed, 4, 4).run(50);
            for (SiblingSet s : h.reached) {
                // of() re-validates the invariants the fast paths rely on
                assertThat(SiblingSet.of(s.context(), s.siblings())).as("seed %d", seed).isEqualTo(s);
            }
            assertThat(h.writes.stream().map(History.Write::dot).distinct().count())
                    .as("a dot is never handed out twice, seed %d", seed).isEqualTo(h.writes.size());
        });
    }

    @Test
    void writersWithStaleContextsNeverExplodeSiblings() {
        Seeds.forEach(500, seed -> {
            int writers = 2 + (int) Math.floorMod(seed, 4);
            History h = new History(seed, 3, writers);
            for (int step = 0; step < 200; step++) {
                int w = h.rnd.nextInt(writers);
                int r = h.rnd.nextInt(3);
                // Each writer only ever uses the context its own previous write returned: stale for the others'.
                SiblingSet after = h.write(w, r, false);
                h.clientContexts[w] = after.context();
                if (h.rnd.nextInt(3) == 0) {
                    int a = h.rnd.nextInt(3);
                    h.replicas[a] = h.replicas[a].merge(h.replicas[h.rnd.nextInt(3)]);
                }
                for (SiblingSet replica : h.replicas) {
                    assertThat(replica.size()).as("writers %d, step %d, seed %d", writers, step, seed)
                            .isLessThanOrEqualTo(writers);
                }
            }
            assertThat(h.converged().size()).as("seed %d", seed).isLessThanOrEqualTo(writers);
        });
    }

    @Test
    void aTombstoneReadsAsDeletedAndAWriteAfterItRevivesTheKey() {
        ActorId a = ActorId.of("a", 1);
        SiblingSet v = SiblingSet.empty().update(VersionVector.empty(), a, "v".getBytes(), 1);
        SiblingSet deleted = v.update(v.context(), a, null, 2);
        assertThat(deleted.isDeleted()).isTrue();
        assertThat(deleted.isEmpty()).isFalse();
        assertThat(deleted.siblings()).singleElement().matches(Sibling::isTombstone);
        assertThat(v.merge(deleted)).as("a stale replica cannot undo the delete").isEqualTo(deleted);

        SiblingSet concurrent = v.update(VersionVector.empty(), ActorId.of("b", 1), "w".getBytes(), 3);
        SiblingSet merged = deleted.merge(concurrent);
        assertThat(merged.isDeleted()).as("a concurrent write survives a delete it did not see").isFalse();
        assertThat(merged.liveSiblings()).extracting(s -> new String(s.value())).containsExactly("w");
    }

    private static List<Dot> concat(List<Dot> list, Dot dot) {
        return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(dot)).toList();
    }
}
