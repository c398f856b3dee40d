package io.chorus.core.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a message body in the protocol's primitive types (u8, u16, fixed 64-bit values, varints, length-prefixed
 * bytes and strings), growing as needed: the counterpart of {@link ByteReader}, shared by the gossip and
 * coordinator codecs. Not thread-safe; one per encode.
 */
public final class BodyWriter {

    private byte[] buf;
    private int length;

    public BodyWriter(int sizeHint) {
        buf = new byte[Math.max(16, sizeHint)];
    }

    public BodyWriter u8(int value) {
        ensure(1);
        buf[length++] = (byte) value;
        return this;
    }

    public BodyWriter u16(int value) {
        ensure(2);
        buf[length++] = (byte) (value >>> 8);
        buf[length++] = (byte) value;
        return this;
    }

    /** Bytes as they are, without a length. */
    public BodyWriter raw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, buf, length, value.length);
        length += value.length;
        return this;
    }

    /** Eight bytes, big-endian (a 64-bit hash or token). */
    public BodyWriter fixed64(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (value >>> shift);
        }
        return this;
    }

    public BodyWriter varint(long value) {
        ensure(Varint.MAX_LENGTH);
        ByteBuffer out = ByteBuffer.wrap(buf, length, Varint.MAX_LENGTH);
        Varint.write(out, value);
        length = out.position();
        return this;
    }

    /** {@code length:varint} then the bytes. */
    public BodyWriter bytes(byte[] value) {
        varint(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, buf, length, value.length);
        length += value.length;
        return this;
    }

    public BodyWriter string(String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            if (value.charAt(i) >= 0x80) {
                return bytes(value.getBytes(StandardCharsets.UTF_8));
            }
        }
        // ASCII, as node ids and addresses nearly always are: written as is, without an encoded copy.
        varint(n);
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[length++] = (byte) value.charAt(i);
        }
        return this;
    }

    public int length() {
        return length;
    }

    public byte[] toArray() {
        return Arrays.copyOf(buf, length);
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }
}
