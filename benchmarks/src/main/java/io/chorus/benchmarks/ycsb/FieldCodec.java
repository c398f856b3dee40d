package io.chorus.benchmarks.ycsb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A YCSB record (field name to bytes) as one Chorus value: for each field, in name order, the name's UTF-8 length
 * as an unsigned varint, the name, the value's length as an unsigned varint, the value. No header: a 100-byte
 * field named {@code field0} costs 108 bytes, so the store is measured on the payload YCSB asked for, not on a
 * serialisation format. Names are sorted so that equal records encode to equal bytes (siblings of the same
 * record then look the same). Stateless.
 */
public final class FieldCodec {

    private FieldCodec() {
    }

    /** The bytes of {@code record}; names must be distinct (a map guarantees it). */
    public static byte[] encode(Map<String, byte[]> record) {
        SortedMap<String, byte[]> sorted = record instanceof TreeMap<String, byte[]> t && t.comparator() == null
                ? t : new TreeMap<>(record);
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate(sorted));
        for (Map.Entry<String, byte[]> field : sorted.entrySet()) {
            byte[] name = field.getKey().getBytes(StandardCharsets.UTF_8);
            writeVarint(out, name.length);
            out.writeBytes(name);
            writeVarint(out, field.getValue().length);
            out.writeBytes(field.getValue());
        }
        return out.toByteArray();
    }

    /**
     * The record {@code bytes} encode, in name order. Bytes this codec did not write (truncated, a length past the
     * end, a name twice, names out of order) fail with {@link MalformedRecordException}, never a partial record.
     */
    public static TreeMap<String, byte[]> decode(byte[] bytes) {
        TreeMap<String, byte[]> record = new TreeMap<>();
        int[] pos = {0};
        String previous = null;
        while (pos[0] < bytes.length) {
            String name = new String(readChunk(bytes, pos), StandardCharsets.UTF_8);
            byte[] value = readChunk(bytes, pos);
            if (previous != null && previous.compareTo(name) >= 0) {
                throw new MalformedRecordException("field '" + name + "' follows '" + previous
                        + "': names must be distinct and in order");
            }
            record.put(name, value);
            previous = name;
        }
        return record;
    }

    private static byte[] readChunk(byte[] bytes, int[] pos) {
        int length = readVarint(bytes, pos);
        if (length > bytes.length - pos[0]) {
            throw new MalformedRecordException("a length of " + length + " at offset " + pos[0] + " runs past the "
                    + bytes.length + " bytes of the record");
        }
        byte[] chunk = new byte[length];
        System.arraycopy(bytes, pos[0], chunk, 0, length);
        pos[0] += length;
        return chunk;
    }

    private static int readVarint(byte[] bytes, int[] pos) {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            if (pos[0] >= bytes.length) {
                throw new MalformedRecordException("the record ends inside a length at offset " + pos[0]);
            }
            int b = bytes[pos[0]++] & 0xFF;
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw new MalformedRecordException("a length above 2^31 at offset " + (pos[0] - 1));
                }
                return value;
            }
        }
        throw new MalformedRecordException("a length of more than five bytes at offset " + pos[0]);
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static int estimate(Map<String, byte[]> record) {
        int size = 0;
        for (Map.Entry<String, byte[]> field : record.entrySet()) {
            size += 10 + field.getKey().length() + field.getValue().length;
        }
        return size;
    }

    /** Bytes that are not a record this codec wrote. */
    public static final class MalformedRecordException extends IllegalArgumentException {
        MalformedRecordException(String message) {
            super(message);
        }
    }
}
