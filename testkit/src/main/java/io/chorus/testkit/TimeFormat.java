package io.chorus.testkit;

/** Formats virtual nanoseconds as milliseconds with six decimals, without locale surprises. Stateless. */
final class TimeFormat {

    private TimeFormat() {
    }

    /** {@code 12_000_345} becomes {@code "12.000345"}; fixed width after the point so traces line up and diff. */
    static String millis(long nanos) {
        String fraction = Long.toString(nanos % 1_000_000);
        return nanos / 1_000_000 + "." + "000000".substring(fraction.length()) + fraction;
    }
}
