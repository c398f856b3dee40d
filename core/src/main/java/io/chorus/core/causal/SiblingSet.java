package io.chorus.core.causal;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The stored state of one key: a dotted version vector set (DVVSet, Almeida et al.). It holds the siblings, the
 * values written concurrently, each with the dot of its write, and a version vector (the causal context) that
 * summarises every write this replica has seen for the key, including the overwritten ones.
 *
 * <p>Two rules make it work. A put with context C drops exactly the siblings whose dots C covers, so a client
 * that read before writing replaces what it read and nothing else (no lost updates). And a merge keeps a sibling
 * unless the other side has seen its dot without keeping it, so replicas converge no matter the order in which
 * they sync (merge is commutative, associative and idempotent). Because siblings carry their own dots rather than
 * sharing the coordinator's counter, stale contexts never multiply siblings beyond the truly concurrent writers.
 *
 * <p>Invariants, checked on construction: siblings are sorted by dot, their dots are distinct, and the clock covers
 * each of them. Immutable and thread-safe.
 */
public final class SiblingSet {

    private static final SiblingSet EMPTY = new SiblingSet(VersionVector.empty(), new Sibling[0]);

    private final VersionVector clock;
    private final Sibling[] siblings;

    private SiblingSet(VersionVector clock, Sibling[] siblings) {
        this.clock = clock;
        this.siblings = siblings;
    }

    /** The state of a key never written. */
    public static SiblingSet empty() {
        return EMPTY;
    }

    /** A set from its parts; the siblings are sorted, and rejected if they break an invariant. */
    public static SiblingSet of(VersionVector clock, List<Sibling> siblings) {
        Sibling[] s = siblings.toArray(new Sibling[0]);
        Arrays.sort(s);
        for (int i = 0; i < s.length; i++) {
            if (!clock.covers(s[i].dot())) {
                throw new IllegalArgumentException("clock " + clock + " does not cover sibling dot " + s[i].dot());
            }
            if (i > 0 && s[i - 1].dot().equals(s[i].dot())) {
                throw new IllegalArgumentException("two siblings share dot " + s[i].dot());
            }
        }
        return s.length == 0 && clock.isEmpty() ? EMPTY : new SiblingSet(clock, s);
    }

    /** For decoders that already checked order, distinct dots and coverage: no second sort or check. */
    static SiblingSet trusted(VersionVector clock, Sibling[] sortedSiblings) {
        return sortedSiblings.length == 0 && clock.isEmpty() ? EMPTY : new SiblingSet(clock, sortedSiblings);
    }

    /** The causal context a reader gets and hands back with its next write. */
    public VersionVector context() {
        return clock;
    }

    /** Every sibling, tombstones included, ordered by dot. */
    public List<Sibling> siblings() {
        return Collections.unmodifiableList(Arrays.asList(siblings));
    }

    /** The siblings that carry a value, ordered by dot. */
    public List<Sibling> liveSiblings() {
        List<Sibling> live = new ArrayList<>(siblings.length);
        for (Sibling s : siblings) {
            if (!s.isTombstone()) {
                live.add(s);
            }
        }
        return live;
    }

    public int size() {
        return siblings.length;
    }

    /** Nothing was ever written (no siblings, empty context). */
    public boolean isEmpty() {
        return siblings.length == 0 && clock.isEmpty();
    }

    /** No live value: never written, or every sibling is a tombstone. A reader sees "not found". */
    public boolean isDeleted() {
        for (Sibling s : siblings) {
            if (!s.isTombstone()) {
                return false;
            }
        }
        return true;
    }

    /** Whether a sibling made by {@code dot} is still here. */
    public boolean contains(Dot dot) {
        return indexOf(dot) >= 0;
    }

    /** The dot {@code actor} would stamp on its next write to this key. */
    public Dot nextDot(ActorId actor, VersionVector context) {
        long last = Math.max(clock.get(actor), context.get(actor));
        if (last == Long.MAX_VALUE) {
            // Unreachable through clients (ContextLimits bounds their counters at 2^62); a peer could send it.
            throw new ChorusException(ErrorCode.BAD_REQUEST, "the counter of " + actor + " is exhausted for this key");
        }
        return new Dot(actor, last + 1);
    }

    /**
     * A coordinator's write: drops the siblings that {@code context} covers (what the client read), keeps the
     * ones it did not see, and adds the new value (or a tombstone when {@code valueOrNull} is null) under a fresh
     * dot of {@code actor}. The result's clock also absorbs {@code context}, so replicas still holding a sibling
     * the client overwrote will drop it on merge.
     */
    public SiblingSet update(VersionVector context, ActorId actor, byte[] valueOrNull, long timestamp) {
        Dot dot = nextDot(actor, context);
        Sibling fresh = valueOrNull == null
                ? Sibling.tombstone(dot, timestamp)
                : Sibling.value(dot, valueOrNull, timestamp);
        List<Sibling> kept = new ArrayList<>(siblings.length + 1);
        for (Sibling s : siblings) {
            if (!context.covers(s.dot())) {
                kept.add(s);
            }
        }
        kept.add(fresh);
        Sibling[] out = kept.toArray(new Sibling[0]);
        Arrays.sort(out);
        return new SiblingSet(clock.join(context).with(dot), out);
    }

    /**
     * Sync of two replicas' states. A sibling survives if both sides hold it, or if the other side has not seen
     * its dot; it is dropped when the other side has seen it and let it go (it was overwritten there).
     */
    public SiblingSet merge(SiblingSet other) {
        if (other == this || other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<Sibling> out = new ArrayList<>(siblings.length + other.siblings.length);
        int i = 0;
        int j = 0;
        while (i < siblings.length || j < other.siblings.length) {
            int cmp = i == siblings.length ? 1
                    : j == other.siblings.length ? -1
                    : siblings[i].dot().compareTo(other.siblings[j].dot());
            if (cmp == 0) {
                out.add(siblings[i++]);
                j++;
            } else if (cmp < 0) {
                Sibling s = siblings[i++];
                if (!other.clock.covers(s.dot())) {
                    out.add(s);
                }
            } else {
                Sibling s = other.siblings[j++];
                if (!clock.covers(s.dot())) {
                    out.add(s);
                }
            }
        }
        return new SiblingSet(clock.join(other.clock), out.toArray(new Sibling[0]));
    }

    /** Whether this state already includes everything {@code other} knows: merging it in would change nothing. */
    public boolean includes(SiblingSet other) {
        return merge(other).equals(this);
    }

    private int indexOf(Dot dot) {
        int lo = 0;
        int hi = siblings.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = siblings[mid].dot().compareTo(dot);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o == this
                || o instanceof SiblingSet s && clock.equals(s.clock) && Arrays.equals(siblings, s.siblings);
    }

    @Override
    public int hashCode() {
        return 31 * clock.hashCode() + Arrays.hashCode(siblings);
    }

    @Override
    public String toString() {
        return "SiblingSet" + Arrays.toString(siblings) + clock;
    }
}
