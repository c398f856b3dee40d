package io.chorus.client;

import io.chorus.core.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test advances it, for the client's back-off and suspect periods. Thread-safe:
 * the client reads it from its I/O and callback threads while the test thread advances it.
 */
final class ManualClock implements Clock {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return 1_700_000_000_000L + nanos.get() / 1_000_000;
    }

    void advanceMillis(long millis) {
        nanos.addAndGet(millis * 1_000_000L);
    }
}
