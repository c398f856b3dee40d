package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code key:bytes n:varint r:varint timeoutMillis:varint}. Zero options mean the cluster's default. N and R are
 * checked only syntactically (at most 255, r <= n when both are given); the coordinator checks them against the
 * cluster. The key array is shared, not copied; do not mutate it. Immutable under that rule.
 */
public record GetRequest(byte[] key, int n, int r, long timeoutMillis) {

    public GetRequest {
        Wire.checkKey(key);
        Wire.checkReplicas("r", n, r);
        Wire.checkTimeout(timeoutMillis);
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(key.length) + Varint.size(n) + Varint.size(r)
                + Varint.size(timeoutMillis));
        Wire.putBytes(out, key);
        Varint.write(out, n);
        Varint.write(out, r);
        Varint.write(out, timeoutMillis);
        return Wire.finish(out);
    }

    public static GetRequest decode(byte[] body) {
        ByteReader in = new ByteReader(body);
        byte[] key = Wire.readKey(in);
        int n = Wire.readReplicas(in, "n");
        int r = Wire.readReplicas(in, "r");
        long timeout = Wire.readTimeout(in);
        in.expectEnd("GET request");
        return Wire.construct("GET request", () -> new GetRequest(key, n, r, timeout));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetRequest g && Arrays.equals(key, g.key) && n == g.n && r == g.r
                && timeoutMillis == g.timeoutMillis;
    }

    @Override
    public int hashCode() {
        return ((Arrays.hashCode(key) * 31 + n) * 31 + r) * 31 + Long.hashCode(timeoutMillis);
    }

    @Override
    public String toString() {
        return "GetRequest[" + key.length + "-byte key, n=" + n + ", r=" + r + ", timeout=" + timeoutMillis + "ms]";
    }
}
