package io.chorus.transport.protocol;

import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable body writer for the membership admin bodies: they hold lists of strings and are sent rarely, so one
 * copy at the end is cheaper in code than computing their exact size first. Not thread-safe; one per encode.
 */
final class BodyWriter {

    private ByteBuffer out = ByteBuffer.allocate(128);

    BodyWriter u8(int value) {
        room(1).put((byte) value);
        return this;
    }

    BodyWriter flag(boolean value) {
        return u8(value ? 1 : 0);
    }

    BodyWriter varint(long value) {
        Varint.write(room(Varint.MAX_LENGTH), value);
        return this;
    }

    BodyWriter fixed64(long value) {
        room(8).putLong(value);
        return this;
    }

    BodyWriter bytes(byte[] value) {
        Wire.putBytes(room(Varint.MAX_LENGTH + value.length), value);
        return this;
    }

    /** Length-prefixed UTF-8. */
    BodyWriter string(String value) {
        return bytes(Wire.utf8(value));
    }

    BodyWriter enumName(Enum<?> value) {
        return string(Wire.enumName(value));
    }

    byte[] toByteArray() {
        return Arrays.copyOf(out.array(), out.position());
    }

    private ByteBuffer room(int bytes) {
        if (out.remaining() < bytes) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes));
            larger.put(out.array(), 0, out.position());
            out = larger;
        }
        return out;
    }
}
