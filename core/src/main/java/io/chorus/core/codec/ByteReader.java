package io.chorus.core.codec;

import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounds-checked reader over untrusted bytes. Every length and count is checked against what is left before
 * anything is allocated, so a lying length prefix fails fast instead of reserving gigabytes; every failure is a
 * {@link MalformedEncodingException} naming what was being read. Not thread-safe; one per decode.
 */
public final class ByteReader {

    private final ByteBuffer buf;

    /** Reads {@code buf} from its position to its limit; the caller's buffer position is not moved. */
    public ByteReader(ByteBuffer buf) {
        this.buf = buf.duplicate();
    }

    public ByteReader(byte[] bytes) {
        this.buf = ByteBuffer.wrap(bytes);
    }

    public int remaining() {
        return buf.remaining();
    }

    public int u8(String what) {
        need(1, what);
        return buf.get() & 0xFF;
    }

    /** Eight bytes, big-endian: a 64-bit hash or other fixed-width value, any bit pattern valid. */
    public long fixed64(String what) {
        need(8, what);
        return buf.getLong();
    }

    public long varlong(String what) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1, what);
            byte b = buf.get();
            if (shift == 63 && (b & 0xFE) != 0) {
                throw new MalformedEncodingException(what + ": varint overflows 64 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    throw new MalformedEncodingException(what + ": varint not in shortest form");
                }
                return result;
            }
        }
        throw new MalformedEncodingException(what + ": varint longer than 10 bytes");
    }

    /** A varint in {@code [min, max]}. */
    public long varlong(String what, long min, long max) {
        long v = varlong(what);
        if (Long.compareUnsigned(v, min) < 0 || Long.compareUnsigned(v, max) > 0) {
            throw new MalformedEncodingException(what + " = " + Long.toUnsignedString(v)
                    + ", outside [" + min + ", " + max + "]");
        }
        return v;
    }

    /**
     * An index into something of {@code size} items, so in {@code [0, size)}. Checked on its own because a range
     * {@code [0, size - 1]} is {@code [0, -1]} for nothing at all, which an unsigned compare reads as everything.
     */
    public int index(String what, int size) {
        long v = varlong(what);
        if (Long.compareUnsigned(v, size) >= 0) {
            throw new MalformedEncodingException(what + " = " + Long.toUnsignedString(v) + " does not name one of "
                    + size + " entries");
        }
        return (int) v;
    }

    /**
     * A count of items each at least {@code minItemBytes} long: rejected when the bytes left could not hold that
     * many, so callers can size arrays from it safely.
     */
    public int count(String what, int minItemBytes) {
        long n = varlong(what);
        // Unsigned: a count of 2^63 or more is huge, not negative.
        if (Long.compareUnsigned(n, Integer.MAX_VALUE) > 0 || n * minItemBytes > buf.remaining()) {
            throw new MalformedEncodingException(what + " = " + Long.toUnsignedString(n) + " cannot fit in the "
                    + buf.remaining() + " bytes left");
        }
        return (int) n;
    }

    /** A length-prefixed byte string of at most {@code maxLength} bytes. */
    public byte[] bytes(String what, int maxLength) {
        int len = length(what, maxLength);
        byte[] out = new byte[len];
        buf.get(out);
        return out;
    }

    /** A length-prefixed UTF-8 string; invalid UTF-8 is rejected, not replaced. */
    public String utf8(String what, int maxLength) {
        int len = length(what, maxLength);
        byte[] raw;
        int offset;
        if (buf.hasArray()) {
            // Decode in place: no intermediate copy of the bytes.
            raw = buf.array();
            offset = buf.arrayOffset() + buf.position();
        } else {
            raw = new byte[len];
            buf.duplicate().get(raw);
            offset = 0;
        }
        String s = new String(raw, offset, len, StandardCharsets.UTF_8);
        // The JDK replaces bad sequences with U+FFFD; only then is the slower exact check needed.
        if (s.indexOf('\uFFFD') >= 0
                && !Arrays.equals(s.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(raw, offset, offset + len))) {
            throw new MalformedEncodingException(what + ": invalid UTF-8");
        }
        buf.position(buf.position() + len);
        return s;
    }

    /**
     * As {@link #utf8(String, int)}, but returns {@code known} itself when the bytes are exactly its characters
     * in ASCII: repeated names (the few node ids of a cluster, in every stored value) then cost a comparison
     * instead of a decode and two allocations. {@code known} may be null.
     */
    public String utf8(String what, int maxLength, String known) {
        if (known != null) {
            int start = buf.position();
            long len = varlong(what + " length");
            int at = buf.position();
            if (len == known.length() && len <= maxLength && len <= buf.remaining() && spells(known, at)) {
                buf.position(at + (int) len);
                return known;
            }
            buf.position(start);
        }
        return utf8(what, maxLength);
    }

    /** A length prefix of at most {@code maxLength} whose bytes are all there. */
    private int length(String what, int maxLength) {
        long len = varlong(what + " length");
        // Unsigned: a length of 2^63 or more is over any limit, not a negative number under it.
        if (Long.compareUnsigned(len, maxLength) > 0) {
            throw new MalformedEncodingException(what + " length " + Long.toUnsignedString(len)
                    + " over the maximum " + maxLength);
        }
        need((int) len, what);
        return (int) len;
    }

    /** Whether the bytes at {@code at} are {@code s}'s characters, each ASCII. */
    private boolean spells(String s, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || buf.get(at + i) != (byte) c) {
                return false;
            }
        }
        return true;
    }

    /** Fails unless every byte was consumed: trailing garbage means the input is not what we think. */
    public void expectEnd(String what) {
        if (buf.hasRemaining()) {
            throw new MalformedEncodingException(what + ": " + buf.remaining() + " unexpected trailing bytes");
        }
    }

    private void need(int n, String what) {
        if (buf.remaining() < n) {
            throw new MalformedEncodingException(what + ": truncated, need " + n + " bytes, have " + buf.remaining());
        }
    }
}
