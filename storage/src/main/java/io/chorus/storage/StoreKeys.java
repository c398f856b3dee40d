package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The on-disk key layout and its checks. A data key is {@code partition:u16be || segmentHash:u32be || key}:
 * big-endian so LMDB's unsigned byte order keeps each partition a contiguous range, in partition order, and
 * within it each hash-tree segment a contiguous range ({@link KeyHash}), at every resolution. Stateless.
 */
final class StoreKeys {

    /** The partition prefix: what a partition's scan and drop range over. */
    static final int PREFIX_LENGTH = 2;
    /** Partition and segment hash: what comes before the key itself. */
    static final int HEADER_LENGTH = PREFIX_LENGTH + 4;
    /** LMDB's compiled-in key limit (MDB_MAXKEYSIZE). */
    static final int LMDB_MAX_KEY = 511;

    private static final Pattern AREA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int DESCRIBE_LIMIT = 64;

    private StoreKeys() {
    }

    /** Area names: 1-64 of {@code [A-Za-z0-9._-]}, the same rule for every engine. */
    static void checkAreaName(String name) {
        Objects.requireNonNull(name, "name");
        if (!AREA_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("area name must be 1-64 of [A-Za-z0-9._-]: '" + name + "'");
        }
    }

    static void checkPartition(int partition) {
        if (partition < 0 || partition > StorageEngine.MAX_PARTITION) {
            throw new IllegalArgumentException("partition " + partition + " outside 0.." + StorageEngine.MAX_PARTITION);
        }
    }

    /** Rejects an empty key (BAD_REQUEST) or one over {@code max} bytes (TOO_LARGE); nothing is written. */
    static void checkKey(byte[] key, int max) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "key must not be empty");
        }
        if (key.length > max) {
            throw new LimitExceededException(ErrorCode.TOO_LARGE, "key length", key.length, max);
        }
    }

    /** Checks both and returns the stored form, a fresh array. */
    static byte[] dataKey(int partition, byte[] key) {
        checkPartition(partition);
        checkKey(key, StorageEngine.MAX_KEY_LENGTH);
        byte[] out = new byte[HEADER_LENGTH + key.length];
        ByteBuffer.wrap(out).putShort((short) partition).putInt(KeyHash.segmentHash(key)).put(key);
        return out;
    }

    /** The segment hash a stored data key carries. */
    static int segmentHash(byte[] storedKey) {
        return ((storedKey[2] & 0xFF) << 24) | ((storedKey[3] & 0xFF) << 16) | ((storedKey[4] & 0xFF) << 8)
                | (storedKey[5] & 0xFF);
    }

    static int partitionOf(byte[] storedKey) {
        return ((storedKey[0] & 0xFF) << 8) | (storedKey[1] & 0xFF);
    }

    /** The key a stored data key names, without partition and segment hash. */
    static byte[] userKey(byte[] storedKey) {
        return java.util.Arrays.copyOfRange(storedKey, HEADER_LENGTH, storedKey.length);
    }

    /** The first stored key of segment {@code segment} at resolution {@code bits} of a partition (inclusive). */
    static byte[] segmentStart(int partition, int bits, int segment) {
        long start = bits == 0 ? 0 : ((long) segment) << (32 - bits);
        return ByteBuffer.allocate(HEADER_LENGTH).putShort((short) partition).putInt((int) start).array();
    }

    /** The first stored key after segment {@code segment}, or the partition's end prefix when it is the last. */
    static byte[] segmentEnd(int partition, int bits, int segment) {
        long end = bits == 0 ? 1L << 32 : ((long) segment + 1) << (32 - bits);
        if (end >= 1L << 32) {
            return partition == StorageEngine.MAX_PARTITION ? null
                    : ByteBuffer.allocate(PREFIX_LENGTH).putShort((short) (partition + 1)).array();
        }
        return ByteBuffer.allocate(HEADER_LENGTH).putShort((short) partition).putInt((int) end).array();
    }

    static byte[] prefix(int partition) {
        checkPartition(partition);
        return new byte[] {(byte) (partition >>> 8), (byte) partition};
    }

    /** Writes the stored form of an already checked key into {@code buf} (cleared), ready to read. */
    static ByteBuffer fill(ByteBuffer buf, int partition, byte[] key) {
        buf.clear();
        buf.putShort((short) partition).putInt(KeyHash.segmentHash(key)).put(key).flip();
        return buf;
    }

    static ByteBuffer fill(ByteBuffer buf, byte[] storedKey) {
        buf.clear();
        buf.put(storedKey).flip();
        return buf;
    }

    /** Names a stored data key in messages: partition and hex, cut after 64 bytes. */
    static String describeDataKey(byte[] storedKey) {
        return "partition " + partitionOf(storedKey) + " key " + hex(storedKey, HEADER_LENGTH);
    }

    static String hex(byte[] bytes, int from) {
        int n = Math.min(bytes.length - from, DESCRIBE_LIMIT);
        StringBuilder sb = new StringBuilder(n * 2 + 16).append("0x");
        for (int i = from; i < from + n; i++) {
            sb.append(HEX[(bytes[i] >> 4) & 0xF]).append(HEX[bytes[i] & 0xF]);
        }
        if (bytes.length - from > n) {
            sb.append("...(").append(bytes.length - from).append(" bytes)");
        }
        return sb.toString();
    }

    static boolean startsWith(ByteBuffer key, byte[] prefix) {
        if (key.remaining() < prefix.length) {
            return false;
        }
        int p = key.position();
        for (int i = 0; i < prefix.length; i++) {
            if (key.get(p + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] copy(ByteBuffer buf, int skip) {
        byte[] out = new byte[buf.remaining() - skip];
        buf.duplicate().position(buf.position() + skip).get(out);
        return out;
    }
}
