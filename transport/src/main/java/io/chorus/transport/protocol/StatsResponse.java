package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * STATS response: {@code count:varint (name:string value:varint)*}. Names are 1 to 255 bytes and unique; values
 * are non-negative. The map keeps the order it was given in, so encoding is deterministic. Immutable.
 */
public record StatsResponse(Map<String, Long> stats) {

    /** Smallest encoded entry: a 1-byte name with its length, and a 1-byte value. */
    private static final int MIN_ENTRY_BYTES = 3;

    public StatsResponse {
        Map<String, Long> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : stats.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || Wire.utf8(name).length > ProtocolLimits.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("stat name must be 1 to " + ProtocolLimits.MAX_NAME_BYTES
                        + " bytes: " + name);
            }
            Wire.checkNonNegative("stat " + name, e.getValue());
            copy.put(name, e.getValue());
        }
        stats = Collections.unmodifiableMap(copy);
    }

    public byte[] encode() {
        byte[][] names = new byte[stats.size()][];
        long[] values = new long[stats.size()];
        int size = Varint.size(stats.size());
        int i = 0;
        for (Map.Entry<String, Long> e : stats.entrySet()) {
            names[i] = Wire.utf8(e.getKey());
            values[i] = e.getValue();
            size += Wire.bytesSize(names[i].length) + Varint.size(values[i]);
            i++;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        Varint.write(out, names.length);
        for (int k = 0; k < names.length; k++) {
            Wire.putBytes(out, names[k]);
            Varint.write(out, values[k]);
        }
        return Wire.finish(out);
    }

    public static StatsResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int count = r.count("stat count", MIN_ENTRY_BYTES);
        Map<String, Long> stats = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = r.utf8("stat name", ProtocolLimits.MAX_NAME_BYTES);
            long value = Wire.readNonNegative(r, "stat value");
            if (stats.put(name, value) != null) {
                throw new MalformedEncodingException("stat name repeated: " + name);
            }
        }
        r.expectEnd("STATS response");
        return Wire.construct("STATS response", () -> new StatsResponse(stats));
    }
}
