package io.chorus.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as configuration writes them: a whole number and one unit, {@code 500ms}, {@code 1s}, {@code 10m},
 * {@code 6h}, {@code 1d}. One unit only, so a value reads the same to everyone; whole milliseconds at the finest,
 * which is what every timer of a node counts in. Stateless.
 */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d{1,15})(ms|s|m|h|d)");
    private static final String EXPECTED = "a whole number and a unit: 500ms, 1s, 10m, 6h, 1d";

    private Durations() {
    }

    /** @throws IllegalArgumentException whose message says what was expected */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXPECTED + ")");
        }
        long n = Long.parseLong(m.group(1));
        try {
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
    }

    /** The shortest form {@link #parse} reads back as {@code d}; {@code d} must be whole milliseconds. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (!Duration.ofMillis(ms).equals(d)) {
            throw new IllegalArgumentException(d + " is not whole milliseconds");
        }
        if (ms != 0 && ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
