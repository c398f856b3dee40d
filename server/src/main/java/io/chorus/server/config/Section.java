package io.chorus.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chorus.server.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One mapping of a config file (the root or a named section) being read strictly: its keys are declared first
 * ({@link #expect}), so a key nobody reads is an error before any value is looked at, and every getter names the
 * full dotted key in its error. Scalars may be written as YAML types or as text (how flags and quoted values
 * arrive): {@code 3} and {@code "3"} are the same integer. A key with no value ({@code key:} or {@code ~}) is an
 * error, not a default: leave the key out for its default. Not thread-safe; used once by one reader.
 */
final class Section {

    private final String path;
    private final ObjectNode node;
    private final Set<String> expected = new LinkedHashSet<>();

    private Section(String path, ObjectNode node) {
        this.path = path;
        this.node = node;
    }

    static Section root(ObjectNode node) {
        return new Section("", node);
    }

    /** The full dotted name of {@code key} in this section. */
    String key(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ConfigException error(String key, String problem) {
        return new ConfigException(key(key), problem);
    }

    /** Declares the keys this section may hold; the first other key found is refused as unknown. */
    Section expect(String... keys) {
        expected.addAll(Arrays.asList(keys));
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!expected.contains(name)) {
                String near = nearest(name);
                throw error(name, "unknown key" + (near == null ? "" : " (did you mean " + key(near) + "?)"));
            }
        }
        return this;
    }

    boolean has(String key) {
        return node.has(checked(key));
    }

    /** A nested section; an absent one is empty, so all its keys take their defaults. */
    Section section(String key) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            return new Section(key(key), node.objectNode());
        }
        if (!value.isObject()) {
            throw error(key, "expected a section of keys, got " + describe(value));
        }
        return new Section(key(key), (ObjectNode) value);
    }

    /** A text value, or {@code dflt} when absent; a null {@code dflt} makes the key required. */
    String string(String key, String dflt, String whatItIs) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            if (dflt == null) {
                throw error(key, "required (" + whatItIs + ")");
            }
            return dflt;
        }
        return scalar(key, value);
    }

    int integer(String key, int dflt, int min, int max) {
        return (int) longValue(key, dflt, min, max);
    }

    long longValue(String key, long dflt, long min, long max) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            return dflt;
        }
        long n;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            n = value.longValue();
        } else {
            String text = scalar(key, value);
            try {
                n = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw error(key, quote(text) + " is not a whole number");
            }
        }
        return inRange(key, n, min, max);
    }

    long inRange(String key, long n, long min, long max) {
        if (n < min) {
            throw error(key, n + " is below the minimum " + min);
        }
        if (n > max) {
            throw error(key, n + " is above the maximum " + max);
        }
        return n;
    }

    double decimal(String key, double dflt) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            return dflt;
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        String text = scalar(key, value);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw error(key, quote(text) + " is not a number");
        }
    }

    boolean bool(String key, boolean dflt) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            return dflt;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        String text = scalar(key, value);
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(key, quote(text) + " is not true or false");
        };
    }

    Duration duration(String key, Duration dflt) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            return dflt;
        }
        return parsed(key, scalar(key, value), Durations::parse);
    }

    /** A byte count (a number, or {@code 32MiB}), or {@code unlimitedAs} for {@code unlimited} if not negative. */
    long size(String key, long dflt, long unlimitedAs) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            return dflt;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        String text = scalar(key, value);
        if (unlimitedAs >= 0 && text.equals("unlimited")) {
            return unlimitedAs;
        }
        return parsed(key, text, ByteSizes::parse);
    }

    /** A count, or {@code unlimitedAs} for {@code unlimited}. */
    long countOrUnlimited(String key, long dflt, long unlimitedAs) {
        JsonNode value = node.get(checked(key));
        if (value != null && value.isTextual() && value.textValue().equals("unlimited")) {
            return unlimitedAs;
        }
        return longValue(key, dflt, 1, Long.MAX_VALUE);
    }

    /** A {@code host:port}, or {@code dflt} when absent (null: absent stays null). */
    HostPort hostPort(String key, HostPort dflt) {
        JsonNode value = node.get(checked(key));
        if (value == null) {
            return dflt;
        }
        return parsed(key, scalar(key, value), HostPort::parse);
    }

    /**
     * A list of {@code host:port}: a YAML sequence, or one text of comma-separated entries (a flag). Entries are
     * named {@code key[i]} in errors.
     */
    List<HostPort> hostPorts(String key) {
        JsonNode value = node.get(checked(key));
        List<String> entries = new ArrayList<>();
        if (value == null) {
            return List.of();
        }
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                JsonNode entry = value.get(i);
                if (!entry.isValueNode() || entry.isNull()) {
                    throw new ConfigException(key(key) + "[" + i + "]", "expected host:port, got " + describe(entry));
                }
                entries.add(entry.asText());
            }
        } else {
            String text = scalar(key, value).trim();
            if (!text.isEmpty()) {
                for (String part : text.split(",", -1)) {
                    entries.add(part.trim());
                }
            }
        }
        List<HostPort> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entryKey = key(key) + "[" + i + "]";
            try {
                out.add(HostPort.parse(entries.get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(entryKey, e.getMessage());
            }
        }
        return out;
    }

    private <T> T parsed(String key, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    private String scalar(String key, JsonNode value) {
        if (value.isNull()) {
            throw error(key, "has no value (leave the key out for its default)");
        }
        if (!value.isValueNode()) {
            throw error(key, "expected a single value, got " + describe(value));
        }
        return value.asText();
    }

    private String checked(String key) {
        if (!expected.contains(key)) {
            throw new IllegalStateException(key(key) + " read but not declared");
        }
        return key;
    }

    private static String describe(JsonNode value) {
        if (value.isObject()) {
            return "a section";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isNull()) {
            return "no value";
        }
        return quote(value.asText());
    }

    private static String quote(String text) {
        return "'" + text + "'";
    }

    /** The expected key within two edits of {@code name}, for a typo's hint, or null. */
    private String nearest(String name) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : expected) {
            int d = distance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance, with a swap of two neighbours counted as one edit. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
