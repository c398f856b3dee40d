package io.chorus.transport.protocol;

import io.chorus.core.causal.VersionVector;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code key:bytes context:context value:bytes n:varint w:varint timeoutMillis:varint}. An empty context is a blind
 * write (sent as length 0). The value's size is not capped here: the node's configured maximum is the
 * coordinator's to check. Arrays are shared, not copied; do not mutate them. Immutable under that rule.
 */
public record PutRequest(byte[] key, VersionVector context, byte[] value, int n, int w, long timeoutMillis) {

    public PutRequest {
        Wire.checkKey(key);
        if (context == null || value == null) {
            throw new IllegalArgumentException("context and value must be given");
        }
        Wire.checkReplicas("w", n, w);
        Wire.checkTimeout(timeoutMillis);
    }

    public byte[] encode() {
        byte[] ctx = Wire.contextBytes(context);
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(key.length) + Wire.bytesSize(ctx.length)
                + Wire.bytesSize(value.length) + Varint.size(n) + Varint.size(w) + Varint.size(timeoutMillis));
        Wire.putBytes(out, key);
        Wire.putBytes(out, ctx);
        Wire.putBytes(out, value);
        Varint.write(out, n);
        Varint.write(out, w);
        Varint.write(out, timeoutMillis);
        return Wire.finish(out);
    }

    public static PutRequest decode(byte[] body) {
        ByteReader in = new ByteReader(body);
        byte[] key = Wire.readKey(in);
        VersionVector context = Wire.readContext(in);
        byte[] value = in.bytes("value", Integer.MAX_VALUE);
        int n = Wire.readReplicas(in, "n");
        int w = Wire.readReplicas(in, "w");
        long timeout = Wire.readTimeout(in);
        in.expectEnd("PUT request");
        return Wire.construct("PUT request", () -> new PutRequest(key, context, value, n, w, timeout));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PutRequest p && Arrays.equals(key, p.key) && context.equals(p.context)
                && Arrays.equals(value, p.value) && n == p.n && w == p.w && timeoutMillis == p.timeoutMillis;
    }

    @Override
    public int hashCode() {
        return ((((Arrays.hashCode(key) * 31 + context.hashCode()) * 31 + Arrays.hashCode(value)) * 31 + n) * 31
                + w) * 31 + Long.hashCode(timeoutMillis);
    }

    @Override
    public String toString() {
        return "PutRequest[" + key.length + "-byte key, context=" + context + ", " + value.length + "-byte value, n="
                + n + ", w=" + w + ", timeout=" + timeoutMillis + "ms]";
    }
}
