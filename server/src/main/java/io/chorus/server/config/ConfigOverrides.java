package io.chorus.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values given on the command line, each for one dotted key of the file ({@code --node-name x} sets
 * {@code node_name}, {@code --set gossip.interval=2s} sets {@code gossip.interval}). They replace the file's
 * values before anything is checked, so they are checked exactly as the file is, and an error in one names its
 * flag too. Later values for the same key win. Not thread-safe.
 */
public final class ConfigOverrides {

    private record Value(String text, String source) {
    }

    private final Map<String, Value> values = new LinkedHashMap<>();

    public static ConfigOverrides none() {
        return new ConfigOverrides();
    }

    /**
     * @param key    the dotted key, as in the file
     * @param text   the value as text ({@code 2s}, {@code a:7100,b:7100} for a list)
     * @param source the flag it came from, for error messages ({@code --seeds})
     */
    public ConfigOverrides set(String key, String text, String source) {
        values.put(key, new Value(text, source));
        return this;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The flag that set {@code key}, or null if the file did (or nothing). */
    String sourceOf(String key) {
        Value v = values.get(key);
        if (v == null && key.endsWith("]")) {
            v = values.get(key.substring(0, key.lastIndexOf('[')));
        }
        return v == null ? null : v.source();
    }

    /** Writes every value into {@code root}, making the sections on the way. */
    void applyTo(ObjectNode root) {
        for (Map.Entry<String, Value> e : values.entrySet()) {
            String key = e.getKey();
            String[] parts = key.split("\\.", -1);
            ObjectNode section = root;
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                String partKey = String.join(".", Arrays.copyOf(parts, i + 1));
                if (part.isEmpty()) {
                    throw new ConfigException(key, "is not a key (from " + e.getValue().source() + ")");
                }
                JsonNode existing = section.get(part);
                if (i == parts.length - 1) {
                    if (existing != null && existing.isObject()) {
                        throw new ConfigException(partKey, "is a section: set one of its keys, as in " + partKey
                                + ".<key> (from " + e.getValue().source() + ")");
                    }
                    section.set(part, TextNode.valueOf(e.getValue().text()));
                } else {
                    if (existing == null) {
                        section = section.putObject(part);
                    } else if (existing.isObject()) {
                        section = (ObjectNode) existing;
                    } else {
                        throw new ConfigException(partKey, "is not a section, so it has no key " + parts[i + 1]
                                + " (from " + e.getValue().source() + ")");
                    }
                }
            }
        }
    }
}
