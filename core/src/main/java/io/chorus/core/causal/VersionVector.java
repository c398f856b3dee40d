package io.chorus.core.causal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A version vector: for each actor, how many of its writes have been seen. Dots of one actor are handed out in
 * order, so "has seen counter n" means "has seen every counter up to n" and one number per actor summarises a
 * whole causal history.
 *
 * <p>This is the causal context clients read and write back. Immutable; entries are kept sorted by actor in
 * parallel arrays, so comparison and join are linear merges with no map lookups.
 */
public final class VersionVector {

    private static final VersionVector EMPTY = new VersionVector(new ActorId[0], new long[0]);

    private final ActorId[] actors;
    private final long[] counters;

    /** Trusted: arrays sorted by actor, no duplicates, every counter >= 1, never mutated after this call. */
    private VersionVector(ActorId[] actors, long[] counters) {
        this.actors = actors;
        this.counters = counters;
    }

    public static VersionVector empty() {
        return EMPTY;
    }

    /** A vector from any actor→counter map; entries with counter 0 are dropped. */
    public static VersionVector of(Map<ActorId, Long> entries) {
        ActorId[] a = entries.keySet().toArray(new ActorId[0]);
        Arrays.sort(a);
        ActorId[] actors = new ActorId[a.length];
        long[] counters = new long[a.length];
        int n = 0;
        for (ActorId actor : a) {
            long c = entries.get(actor);
            if (c < 0) {
                throw new IllegalArgumentException("negative counter for " + actor + ": " + c);
            }
            if (c > 0) {
                actors[n] = actor;
                counters[n++] = c;
            }
        }
        return n == 0 ? EMPTY : new VersionVector(Arrays.copyOf(actors, n), Arrays.copyOf(counters, n));
    }

    /**
     * Builds from arrays already sorted by strictly increasing actor with counters >= 1; checked, because
     * decoders hand in untrusted input. The arrays are copied.
     */
    public static VersionVector ofSorted(ActorId[] actors, long[] counters) {
        if (actors.length != counters.length) {
            throw new IllegalArgumentException("actors and counters differ in length");
        }
        for (int i = 0; i < actors.length; i++) {
            if (counters[i] < 1) {
                throw new IllegalArgumentException("counter of " + actors[i] + " must be >= 1: " + counters[i]);
            }
            if (i > 0 && actors[i - 1].compareTo(actors[i]) >= 0) {
                throw new IllegalArgumentException("actors not strictly increasing at " + actors[i]);
            }
        }
        return actors.length == 0 ? EMPTY : new VersionVector(actors.clone(), counters.clone());
    }

    /** For decoders that checked order and counters themselves; takes ownership of the arrays. */
    static VersionVector trusted(ActorId[] actors, long[] counters) {
        return actors.length == 0 ? EMPTY : new VersionVector(actors, counters);
    }

    /** How many writes of {@code actor} this vector has seen (0 if none). */
    public long get(ActorId actor) {
        int i = Arrays.binarySearch(actors, actor);
        return i >= 0 ? counters[i] : 0;
    }

    /** The position of {@code actor} among {@link #actors()}, or a negative number when absent. */
    public int indexOf(ActorId actor) {
        return Arrays.binarySearch(actors, actor);
    }

    /** Whether the write {@code dot} is part of this history. */
    public boolean covers(Dot dot) {
        return get(dot.actor()) >= dot.counter();
    }

    public int size() {
        return actors.length;
    }

    public boolean isEmpty() {
        return actors.length == 0;
    }

    public ActorId actor(int index) {
        return actors[index];
    }

    public long counter(int index) {
        return counters[index];
    }

    /** The actors in increasing order. */
    public List<ActorId> actors() {
        return List.of(actors);
    }

    /** This history extended by the single write {@code dot} (and, implicitly, every earlier write of its actor). */
    public VersionVector with(Dot dot) {
        int i = Arrays.binarySearch(actors, dot.actor());
        if (i >= 0) {
            if (counters[i] >= dot.counter()) {
                return this;
            }
            long[] c = counters.clone();
            c[i] = dot.counter();
            return new VersionVector(actors, c);
        }
        int at = -i - 1;
        ActorId[] a = new ActorId[actors.length + 1];
        long[] c = new long[actors.length + 1];
        System.arraycopy(actors, 0, a, 0, at);
        System.arraycopy(counters, 0, c, 0, at);
        a[at] = dot.actor();
        c[at] = dot.counter();
        System.arraycopy(actors, at, a, at + 1, actors.length - at);
        System.arraycopy(counters, at, c, at + 1, actors.length - at);
        return new VersionVector(a, c);
    }

    /** The least upper bound: everything either side has seen. Commutative, associative, idempotent. */
    public VersionVector join(VersionVector other) {
        if (other.actors.length == 0 || this == other) {
            return this;
        }
        if (actors.length == 0) {
            return other;
        }
        ActorId[] a = new ActorId[actors.length + other.actors.length];
        long[] c = new long[a.length];
        int i = 0;
        int j = 0;
        int n = 0;
        boolean sameAsThis = true;
        while (i < actors.length || j < other.actors.length) {
            int cmp = i == actors.length ? 1 : j == other.actors.length ? -1 : actors[i].compareTo(other.actors[j]);
            if (cmp < 0) {
                a[n] = actors[i];
                c[n++] = counters[i++];
            } else if (cmp > 0) {
                a[n] = other.actors[j];
                c[n++] = other.counters[j++];
                sameAsThis = false;
            } else {
                a[n] = actors[i];
                if (other.counters[j] > counters[i]) {
                    sameAsThis = false;
                }
                c[n++] = Math.max(counters[i++], other.counters[j++]);
            }
        }
        if (sameAsThis) {
            return this;
        }
        return new VersionVector(n == a.length ? a : Arrays.copyOf(a, n), n == c.length ? c : Arrays.copyOf(c, n));
    }

    /** Where this history stands relative to {@code other} in the causal partial order. */
    public Causality compare(VersionVector other) {
        boolean thisAhead = false;
        boolean otherAhead = false;
        int i = 0;
        int j = 0;
        while (i < actors.length || j < other.actors.length) {
            int cmp = i == actors.length ? 1 : j == other.actors.length ? -1 : actors[i].compareTo(other.actors[j]);
            if (cmp < 0) {
                thisAhead = true;
                i++;
            } else if (cmp > 0) {
                otherAhead = true;
                j++;
            } else {
                long x = counters[i++];
                long y = other.counters[j++];
                thisAhead |= x > y;
                otherAhead |= y > x;
            }
            if (thisAhead && otherAhead) {
                return Causality.CONCURRENT;
            }
        }
        return thisAhead ? Causality.AFTER : otherAhead ? Causality.BEFORE : Causality.EQUAL;
    }

    /** Whether this history includes all of {@code other}'s (after or equal). */
    public boolean descends(VersionVector other) {
        Causality c = compare(other);
        return c == Causality.AFTER || c == Causality.EQUAL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && Arrays.equals(actors, v.actors) && Arrays.equals(counters, v.counters);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(actors) + Arrays.hashCode(counters);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(actors.length);
        for (int i = 0; i < actors.length; i++) {
            parts.add(actors[i] + "=" + counters[i]);
        }
        return "{" + String.join(", ", parts) + "}";
    }
}
