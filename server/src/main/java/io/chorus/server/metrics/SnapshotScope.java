package io.chorus.server.metrics;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One snapshot of each stats record per report: while a report (a STATS answer) runs on a thread, the gauges of
 * one record all read the same snapshot, taken once. Without it a report took a record's snapshot once per
 * component (18 copies of anti-entropy's per-partition map) and mixed moments (a hint backlog computed from
 * counters read apart could go negative). Outside a report (JMX, CSV, Prometheus read single gauges) each read
 * takes a fresh snapshot. Thread-safe: the cache is the reporting thread's own.
 */
final class SnapshotScope {

    private final ThreadLocal<Map<Supplier<?>, Object>> current = new ThreadLocal<>();

    /** Runs {@code report} with one snapshot per record supplier. */
    <T> T during(Supplier<T> report) {
        if (current.get() != null) {
            return report.get();
        }
        current.set(new IdentityHashMap<>());
        try {
            return report.get();
        } finally {
            current.remove();
        }
    }

    /** The snapshot of {@code stats} for this report (null when the part does not run), or a fresh one outside. */
    @SuppressWarnings("unchecked")
    <R> R read(Supplier<? extends R> stats) {
        Map<Supplier<?>, Object> cache = current.get();
        if (cache == null) {
            return stats.get();
        }
        if (cache.containsKey(stats)) {
            return (R) cache.get(stats);
        }
        R r = stats.get();
        cache.put(stats, r);
        return r;
    }
}
