package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.storage.StorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The fields the anti-entropy messages share (bits, counts, ascending index lists, key lists, ring versions), read
 * with the checks every decoder applies and checked again when a message is built. Reading fails with
 * {@link MalformedEncodingException}; building a message with bad fields (a caller's bug) with
 * {@link IllegalArgumentException}. Stateless.
 */
final class AeFields {

    /** Smallest encoded key: its length and one byte. */
    static final int MIN_KEY_BYTES = 2;
    /** A hash: {@code fixed64}. */
    static final int HASH_BYTES = 8;

    private AeFields() {
    }

    // ---- reading ----

    /** A tree resolution in {@code [min, MAX_BITS]}. */
    static int bits(ByteReader r, String what, int min) {
        return (int) r.varlong(what, min, AeLimits.MAX_BITS);
    }

    static long ringVersion(ByteReader r) {
        return r.varlong("ringVersion", 0, Long.MAX_VALUE);
    }

    /**
     * A count in {@code [1, max]} of items each at least {@code minItemBytes} long: checked against the limit first,
     * then against the bytes left, so callers can size arrays from it.
     */
    static int count(ByteReader r, String what, int max, int minItemBytes) {
        int n = (int) r.varlong(what, 1, max);
        if ((long) n * minItemBytes > r.remaining()) {
            throw new MalformedEncodingException(what + " = " + n + " cannot fit in the " + r.remaining()
                    + " bytes left");
        }
        return n;
    }

    /** {@code count} varints, strictly ascending, each below {@code 2^bits}. */
    static int[] ascending(ByteReader r, String what, int count, int bits) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = r.index(what, 1 << bits);
            if (i > 0 && out[i] <= out[i - 1]) {
                throw new MalformedEncodingException(what + " " + out[i] + " not above the one before it, "
                        + out[i - 1]);
            }
        }
        return out;
    }

    static List<byte[]> keys(ByteReader r, int count) {
        List<byte[]> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(PeerFields.key(r));
        }
        return keys;
    }

    /**
     * Builds a message from decoded fields: a constructor's IllegalArgumentException (the checks that relate
     * fields to each other) is, from the wire, a malformed body.
     */
    static <T> T construct(String what, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(what + ": " + e.getMessage());
        }
    }

    // ---- writing ----

    /** {@code count:varint} then the indexes as varints. */
    static BodyWriter indexes(BodyWriter w, int[] indexes) {
        w.varint(indexes.length);
        for (int index : indexes) {
            w.varint(index);
        }
        return w;
    }

    /** {@code count:varint} then the keys as {@code bytes}. */
    static BodyWriter keys(BodyWriter w, List<byte[]> keys) {
        w.varint(keys.size());
        for (byte[] key : keys) {
            w.bytes(key);
        }
        return w;
    }

    static int keysSize(List<byte[]> keys) {
        int size = 4;
        for (byte[] key : keys) {
            size += key.length + 2;
        }
        return size;
    }

    // ---- checks when a message is built ----

    static void checkPartition(int partition) {
        if (partition < 0 || partition > StorageEngine.MAX_PARTITION) {
            throw new IllegalArgumentException("partition " + partition + " outside [0, "
                    + StorageEngine.MAX_PARTITION + "]");
        }
    }

    static void checkBits(String what, int bits, int min) {
        if (bits < min || bits > AeLimits.MAX_BITS) {
            throw new IllegalArgumentException(what + " = " + bits + " outside [" + min + ", " + AeLimits.MAX_BITS
                    + "]");
        }
    }

    static void checkNonNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
    }

    static void checkCount(String what, int count, int max) {
        if (count < 1 || count > max) {
            throw new IllegalArgumentException(what + " = " + count + " outside [1, " + max + "]");
        }
    }

    /** 1 to {@code max} indexes, strictly ascending, each below {@code 2^bits}. */
    static void checkAscending(String what, int[] indexes, int bits, int max) {
        checkCount(what + " count", indexes.length, max);
        for (int i = 0; i < indexes.length; i++) {
            if (indexes[i] < 0 || indexes[i] >= 1 << bits) {
                throw new IllegalArgumentException(what + " " + indexes[i] + " outside [0, 2^" + bits + ")");
            }
            if (i > 0 && indexes[i] <= indexes[i - 1]) {
                throw new IllegalArgumentException(what + " " + indexes[i] + " not above the one before it, "
                        + indexes[i - 1]);
            }
        }
    }

    static void checkKey(byte[] key) {
        if (key == null || key.length == 0 || key.length > StorageEngine.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("a key is 1 to " + StorageEngine.MAX_KEY_LENGTH + " bytes, not "
                    + (key == null ? "null" : key.length));
        }
    }

    /** 1 to {@link AeLimits#MAX_KEYS} keys, each a valid key. */
    static void checkKeys(List<byte[]> keys) {
        checkCount("key count", keys.size(), AeLimits.MAX_KEYS);
        keys.forEach(AeFields::checkKey);
    }

    /** A reply whose status is not OK carries nothing else. */
    static void checkEmptyUnlessOk(AeStatus status, boolean empty) {
        if (status == null) {
            throw new IllegalArgumentException("status must be given");
        }
        if (status != AeStatus.OK && !empty) {
            throw new IllegalArgumentException("a reply with status " + status + " carries only zeros");
        }
    }
}
