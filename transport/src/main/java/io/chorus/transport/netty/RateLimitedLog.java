package io.chorus.transport.netty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one event through per interval, across threads: for log lines that a flood of peers could otherwise turn
 * into a flood of lines. Thread-safe: one compare-and-set.
 */
final class RateLimitedLog {

    private final long intervalNanos;
    private final AtomicLong next;

    RateLimitedLog(long intervalNanos) {
        this.intervalNanos = intervalNanos;
        this.next = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** Whether this event may be logged: the first of its interval. */
    boolean tryAcquire() {
        long now = System.nanoTime();
        long due = next.get();
        return now - due >= 0 && next.compareAndSet(due, now + intervalNanos);
    }
}
