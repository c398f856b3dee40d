package io.chorus.server.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a request that took longer than the threshold, one line at most every second: under overload every request
 * is slow, and a line per request would make the log the next overload. The lines held back are counted in the
 * next one. Thread-safe.
 */
final class SlowRequests {

    private static final Logger LOG = LoggerFactory.getLogger("io.chorus.slow");
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String node;
    private final long thresholdNanos;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong heldBack = new AtomicLong();

    /** @param thresholdNanos 0 turns the log off */
    SlowRequests(String node, long thresholdNanos) {
        this.node = node;
        this.thresholdNanos = thresholdNanos;
    }

    void took(String operation, long nanos, String outcome) {
        if (thresholdNanos <= 0 || nanos < thresholdNanos) {
            return;
        }
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last < LOG_EVERY_NANOS || !lastLogged.compareAndSet(last, now)) {
            heldBack.incrementAndGet();
            return;
        }
        long others = heldBack.getAndSet(0);
        LOG.warn("{}: slow {} took {} ms ({}){}", node, operation, TimeUnit.NANOSECONDS.toMillis(nanos), outcome,
                others == 0 ? "" : "; " + others + " more slow requests since the last line");
    }
}
