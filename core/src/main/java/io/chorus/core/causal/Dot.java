package io.chorus.core.causal;

/**
 * One write event: the {@code counter}-th write stamped by {@code actor}. Every sibling carries the dot of the
 * write that made it, so a context can say exactly which siblings it has seen. Immutable.
 */
public record Dot(ActorId actor, long counter) implements Comparable<Dot> {

    public Dot {
        if (actor == null) {
            throw new IllegalArgumentException("dot actor must not be null");
        }
        if (counter < 1) {
            throw new IllegalArgumentException("dot counter must be >= 1, got " + counter);
        }
    }

    @Override
    public int compareTo(Dot other) {
        int c = actor.compareTo(other.actor);
        return c != 0 ? c : Long.compare(counter, other.counter);
    }

    @Override
    public String toString() {
        return actor + ":" + counter;
    }
}
