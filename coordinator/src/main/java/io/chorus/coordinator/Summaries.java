package io.chorus.coordinator;

import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import java.util.ArrayList;
import java.util.List;

/**
 * A key's causal summary for anti-entropy: its sibling set with every value emptied and every timestamp zeroed,
 * keeping the clock, the dots and which siblings are tombstones. The causal merge decides survival by dots alone,
 * so merging two summaries tells exactly what merging the full states would change on each side, without moving
 * a value. Stateless.
 */
final class Summaries {

    private static final byte[] NO_VALUE = new byte[0];

    private Summaries() {
    }

    static SiblingSet summary(SiblingSet set) {
        if (set.isEmpty()) {
            return set;
        }
        List<Sibling> bare = new ArrayList<>(set.size());
        for (Sibling s : set.siblings()) {
            bare.add(s.isTombstone() ? Sibling.tombstone(s.dot(), 0) : Sibling.value(s.dot(), NO_VALUE, 0));
        }
        return SiblingSet.of(set.context(), bare);
    }

    /** What a sync must move for one key, from the two sides' summaries (the empty set when a side lacks it). */
    enum Move { NONE, FETCH, PUSH, BOTH }

    static Move decide(SiblingSet mine, SiblingSet theirs) {
        if (mine.equals(theirs)) {
            return Move.NONE;
        }
        SiblingSet merged = mine.merge(theirs);
        boolean fetch = !merged.equals(mine);
        boolean push = !merged.equals(theirs);
        return fetch && push ? Move.BOTH : fetch ? Move.FETCH : push ? Move.PUSH : Move.NONE;
    }
}
