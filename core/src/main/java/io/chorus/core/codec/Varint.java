package io.chorus.core.codec;

import java.nio.ByteBuffer;

/** Unsigned LEB128 varints: 7 bits a byte, low bits first, high bit set on every byte but the last. */
public final class Varint {

    /** A 64-bit value takes at most ten bytes. */
    public static final int MAX_LENGTH = 10;

    private Varint() {
    }

    /** How many bytes {@link #write} uses for {@code value}, read as unsigned. */
    public static int size(long value) {
        // 1 + floor((63 - leading zeros) / 7), computed without a loop
        return value == 0 ? 1 : (63 - Long.numberOfLeadingZeros(value)) / 7 + 1;
    }

    public static void write(ByteBuffer out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }
}
