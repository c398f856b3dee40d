package io.chorus.gossip;

import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a gossip message body in the protocol's primitive types, growing as needed; the counterpart of core's
 * {@link io.chorus.core.codec.ByteReader}. The coordinator has the same small class for its own messages: gossip
 * may not depend on the coordinator, and core holds only the reader. Not thread-safe; one per encode.
 */
final class BodyWriter {

    private byte[] buf;
    private int length;

    BodyWriter(int sizeHint) {
        buf = new byte[Math.max(16, sizeHint)];
    }

    BodyWriter u8(int value) {
        ensure(1);
        buf[length++] = (byte) value;
        return this;
    }

    BodyWriter fixed64(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[length++] = (byte) (value >>> shift);
        }
        return this;
    }

    BodyWriter varint(long value) {
        ensure(Varint.MAX_LENGTH);
        ByteBuffer out = ByteBuffer.wrap(buf, length, Varint.MAX_LENGTH);
        Varint.write(out, value);
        length = out.position();
        return this;
    }

    /** {@code length:varint} then the bytes. */
    BodyWriter bytes(byte[] value) {
        varint(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, buf, length, value.length);
        length += value.length;
        return this;
    }

    BodyWriter string(String value) {
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

    int length() {
        return length;
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, length);
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }
}
