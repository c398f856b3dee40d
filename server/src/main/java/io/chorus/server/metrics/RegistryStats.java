package io.chorus.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * The registry as STATS carries it: name → non-negative integer, sorted by name. A counter or gauge is one entry;
 * a meter {@code .count} and {@code .rate_1m} (per second, one-minute moving average); a timer also its
 * latencies in microseconds ({@code .p50_us}, {@code .p99_us}, {@code .p999_us}, {@code .max_us}); a histogram
 * {@code .count}, {@code .p50}, {@code .p99}, {@code .p999}, {@code .max}. A gauge that reads null (its part is
 * not running) or not a number is left out; a map gauge becomes {@code name.KEY} entries.
 */
final class RegistryStats {

    private RegistryStats() {
    }

    static Map<String, Long> of(MetricRegistry registry) {
        Map<String, Long> out = new LinkedHashMap<>();
        SortedMap<String, Metric> metrics = new java.util.TreeMap<>(registry.getMetrics());
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            String name = e.getKey();
            Metric m = e.getValue();
            if (m instanceof Gauge<?> g) {
                gauge(out, name, g.getValue());
            } else if (m instanceof Counter c) {
                out.put(name, Math.max(0, c.getCount()));
            } else if (m instanceof Timer t) {
                rate(out, name, t);
                Snapshot s = t.getSnapshot();
                out.put(name + ".p50_us", micros(s.getMedian()));
                out.put(name + ".p99_us", micros(s.get99thPercentile()));
                out.put(name + ".p999_us", micros(s.get999thPercentile()));
                out.put(name + ".max_us", micros(s.getMax()));
            } else if (m instanceof Meter meter) {
                rate(out, name, meter);
            } else if (m instanceof Histogram h) {
                Snapshot s = h.getSnapshot();
                out.put(name + ".count", h.getCount());
                out.put(name + ".p50", Math.round(s.getMedian()));
                out.put(name + ".p99", Math.round(s.get99thPercentile()));
                out.put(name + ".p999", Math.round(s.get999thPercentile()));
                out.put(name + ".max", s.getMax());
            }
        }
        return out;
    }

    private static void rate(Map<String, Long> out, String name, com.codahale.metrics.Metered m) {
        out.put(name + ".count", m.getCount());
        out.put(name + ".rate_1m", Math.round(m.getOneMinuteRate()));
    }

    private static void gauge(Map<String, Long> out, String name, Object value) {
        if (value instanceof Number n) {
            out.put(name, Math.max(0, n.longValue()));
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() instanceof Number n) {
                    out.put(name + "." + e.getKey(), Math.max(0, n.longValue()));
                }
            }
        }
    }

    private static long micros(double nanos) {
        return Math.round(nanos / 1_000);
    }
}
