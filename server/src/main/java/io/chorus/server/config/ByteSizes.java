package io.chorus.server.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as configuration writes them: a whole number, optionally with a binary unit: {@code 4096},
 * {@code 512KiB}, {@code 32MiB}, {@code 1GiB}. Decimal units (MB) are refused rather than guessed at. Stateless.
 */
public final class ByteSizes {

    private static final Pattern FORM = Pattern.compile("(\\d{1,19})(B|KiB|MiB|GiB|TiB)?");

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException whose message says what was expected */
    public static long parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (a whole number of bytes, or with"
                    + " KiB, MiB, GiB, TiB: 32MiB)");
        }
        int shift = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            case "TiB" -> 40;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }

    /** The shortest form {@link #parse} reads back as {@code bytes}. */
    public static String format(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            int shift = 40 - 10 * i;
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + units[i];
            }
        }
        return Long.toString(bytes);
    }
}
