package io.chorus.transport.netty;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes a server's connections may hold together in frames that have not fully arrived. Each connection's
 * limit on one frame (16 MiB by default) times the connection limit (over a thousand) is far more than a heap: a
 * crowd of peers that each send most of a large frame and then stall would exhaust it. Decoders reserve the bytes
 * they actually received and buffer for an incomplete frame (never its claimed length: a lying length prefix costs
 * nothing) and give them back when the frame completes or fails or the connection goes; a reservation that would
 * go over the limit is refused, and that one connection is closed with OVERLOADED while the others go on.
 *
 * <p>It counts bytes received, not the memory behind them: a cumulation buffer may have up to about twice its
 * content's capacity while it grows. Thread-safe: a reservation is a compare-and-set loop, so the limit is never
 * overshot, and no lock is taken.
 */
final class FrameBudget {

    private final long limit;
    private final AtomicLong buffered = new AtomicLong();
    private final LongAdder refusals = new LongAdder();

    FrameBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("partial frame budget must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Takes {@code bytes} (positive) if they fit under the limit; if not, false: nothing taken, a refusal counted. */
    boolean reserve(long bytes) {
        while (true) {
            long now = buffered.get();
            if (now + bytes > limit) {
                refusals.increment();
                return false;
            }
            if (buffered.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back bytes an earlier {@link #reserve} took; callers give back each reservation once. */
    void release(long bytes) {
        long after = buffered.addAndGet(-bytes);
        assert after >= 0 : "released more than reserved: " + after;
    }

    long limit() {
        return limit;
    }

    long buffered() {
        return buffered.get();
    }

    /** Since start: reservations refused, each of which closed a connection. */
    long refusals() {
        return refusals.sum();
    }
}
