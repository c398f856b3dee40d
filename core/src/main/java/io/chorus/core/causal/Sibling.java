package io.chorus.core.causal;

import java.util.Arrays;

/**
 * One concurrently written value of a key, with the dot of the write that made it. A tombstone is a sibling with
 * no value: a delete is a write, so it takes part in causality like any other and cannot be undone by a stale
 * replica.
 *
 * <p>{@code timestamp} is the coordinator's wall-clock time of the write in milliseconds since the epoch. It is
 * information for clients (last-modified) and for an opt-in last-write-wins; causality never looks at it.
 *
 * <p>Immutable: the value is copied in and copied out.
 */
public final class Sibling implements Comparable<Sibling> {

    private final Dot dot;
    private final byte[] value;
    private final long timestamp;

    private Sibling(Dot dot, byte[] value, long timestamp) {
        if (dot == null) {
            throw new IllegalArgumentException("sibling dot must not be null");
        }
        if (timestamp < 0) {
            throw new IllegalArgumentException("sibling timestamp must be >= 0, got " + timestamp);
        }
        this.dot = dot;
        this.value = value;
        this.timestamp = timestamp;
    }

    public static Sibling value(Dot dot, byte[] value, long timestamp) {
        if (value == null) {
            throw new IllegalArgumentException("a value sibling needs a value; use tombstone()");
        }
        return new Sibling(dot, value.clone(), timestamp);
    }

    public static Sibling tombstone(Dot dot, long timestamp) {
        return new Sibling(dot, null, timestamp);
    }

    /** For decoders that already own a fresh array: no second copy. */
    static Sibling adopt(Dot dot, byte[] valueOrNull, long timestamp) {
        return new Sibling(dot, valueOrNull, timestamp);
    }

    public Dot dot() {
        return dot;
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** A copy of the value; throws for a tombstone. */
    public byte[] value() {
        if (value == null) {
            throw new IllegalStateException("tombstone " + dot + " has no value");
        }
        return value.clone();
    }

    /** The value's length in bytes, 0 for a tombstone. */
    public int valueLength() {
        return value == null ? 0 : value.length;
    }

    public long timestamp() {
        return timestamp;
    }

    /** The stored array itself, for encoders in this package; never hand it out. */
    byte[] rawValue() {
        return value;
    }

    @Override
    public int compareTo(Sibling other) {
        return dot.compareTo(other.dot);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sibling s && dot.equals(s.dot) && timestamp == s.timestamp && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return dot.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return value == null ? dot + "=<tombstone>" : dot + "=" + value.length + "B";
    }
}
