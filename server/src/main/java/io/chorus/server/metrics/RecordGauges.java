package io.chorus.server.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Binds the components of a module's stats record to gauges of the registry, so that a counter a module adds to
 * its record shows in STATS, JMX and {@code chorus stats} without being listed again here. The modules stay free of
 * any metrics library: their records are the one list, each component documented where it is counted.
 *
 * <p>Names are {@code prefix.snake_case_component}; a component ending in {@code Nanos} is reported in
 * milliseconds as {@code _ms}, one ending in {@code Millis} as {@code _ms}. A map component becomes one gauge whose
 * value is a sorted map ({@code pKEY} for integer keys, a partition), read by {@link RegistryStats} as
 * {@code name.pKEY} entries; a map of records expands their numeric components the same way. A supplier may
 * return null (the part is not running): the gauges then read null and STATS leaves them out.
 */
final class RecordGauges {

    private RecordGauges() {
    }

    static <R extends Record> void register(MetricRegistry registry, String prefix, Class<R> type,
            Supplier<? extends R> stats) {
        register(registry, prefix, type, stats, new SnapshotScope());
    }

    /** As above; within a report of {@code scope} the record is read once for all its gauges. */
    static <R extends Record> void register(MetricRegistry registry, String prefix, Class<R> type,
            Supplier<? extends R> stats, SnapshotScope scope) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name = prefix + "." + metricName(c.getName());
            boolean nanos = c.getName().endsWith("Nanos");
            if (isNumeric(c.getType())) {
                registry.register(name, (Gauge<Long>) () -> {
                    R r = scope.read(stats);
                    return r == null ? null : scaled(read(c, r), nanos);
                });
            } else if (Map.class.isAssignableFrom(c.getType())) {
                registry.register(name, (Gauge<Map<String, Long>>) () -> {
                    R r = scope.read(stats);
                    return r == null ? null : flatten((Map<?, ?>) read(c, r));
                });
            }
        }
    }

    /** {@code keysMoved} → {@code keys_moved}; {@code throttledNanos}, {@code lastSyncMillis} → {@code *_ms}. */
    static String metricName(String component) {
        String base = component;
        if (base.endsWith("Nanos")) {
            base = base.substring(0, base.length() - "Nanos".length()) + "Ms";
        } else if (base.endsWith("Millis")) {
            base = base.substring(0, base.length() - "Millis".length()) + "Ms";
        }
        StringBuilder out = new StringBuilder();
        for (char ch : base.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                out.append('_').append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    private static Map<String, Long> flatten(Map<?, ?> map) {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = e.getKey() instanceof Integer ? "p" + e.getKey() : String.valueOf(e.getKey());
            Object v = e.getValue();
            if (v instanceof Number n) {
                out.put(key, n.longValue());
            } else if (v instanceof Record r) {
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    if (isNumeric(c.getType())) {
                        out.put(key + "." + metricName(c.getName()), ((Number) read(c, r)).longValue());
                    }
                }
            }
        }
        return out;
    }

    private static boolean isNumeric(Class<?> t) {
        return t == long.class || t == int.class || t == Long.class || t == Integer.class;
    }

    private static long scaled(Object value, boolean nanos) {
        long v = ((Number) value).longValue();
        return nanos ? v / 1_000_000 : v;
    }

    private static Object read(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getName(), e);
        }
    }
}
