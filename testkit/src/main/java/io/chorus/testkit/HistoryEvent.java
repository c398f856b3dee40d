package io.chorus.testkit;

/**
 * One line of a {@link History}: an operation was invoked, or it completed in one of three ways. Events of one
 * history have consecutive {@code index}es in the order they were recorded, and non-decreasing times when the
 * clock is monotonic. The operation itself is {@link History#operation(long)}. Immutable.
 *
 * @param index position in the history, from 0
 * @param timeNanos the history clock's {@code nanoTime()} when the event was recorded
 * @param opId the operation this event belongs to
 * @param kind what happened
 */
public record HistoryEvent(long index, long timeNanos, long opId, Kind kind) {

    public enum Kind {
        INVOKE,
        /** It definitely took effect, with the recorded result. */
        OK,
        /** It definitely did not take effect. */
        FAIL,
        /** Indeterminate (a timeout, a lost connection): it may or may not have taken effect, now or later. */
        INFO
    }
}
