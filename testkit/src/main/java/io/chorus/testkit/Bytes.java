package io.chorus.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string with value equality, so recorded keys, values and contexts can go into sets and maps
 * and be compared by checkers. Copies on the way in and out. Ordered unsigned-lexicographically. Immutable.
 */
public final class Bytes implements Comparable<Bytes> {

    private static final Bytes EMPTY = new Bytes(new byte[0]);
    private static final int SHOWN_BYTES = 32;

    private final byte[] bytes;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Bytes of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    public static Bytes utf8(String text) {
        return new Bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    public static Bytes empty() {
        return EMPTY;
    }

    /** A copy of the bytes. */
    public byte[] toArray() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    @Override
    public int compareTo(Bytes other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Printable ASCII as a quoted string, anything else as hex; long strings are cut. */
    @Override
    public String toString() {
        int shown = Math.min(bytes.length, SHOWN_BYTES);
        String more = bytes.length > shown ? "...(" + bytes.length + " bytes)" : "";
        boolean printable = true;
        for (int i = 0; i < shown; i++) {
            printable &= bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '"';
        }
        return printable
                ? "\"" + new String(bytes, 0, shown, StandardCharsets.US_ASCII) + "\"" + more
                : "0x" + HexFormat.of().formatHex(bytes, 0, shown) + more;
    }
}
