package io.chorus.transport.protocol;

import io.chorus.core.causal.VersionVector;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code key:bytes context:context n:varint w:varint timeoutMillis:varint}: a tombstone write. The key array is
 * shared, not copied; do not mutate it. Immutable under that rule.
 */
public record DeleteRequest(byte[] key, VersionVector context, int n, int w, long timeoutMillis) {

    public DeleteRequest {
        Wire.checkKey(key);
        if (context == null) {
            throw new IllegalArgumentException("context must be given");
        }
        Wire.checkReplicas("w", n, w);
        Wire.checkTimeout(timeoutMillis);
    }

    public byte[] encode() {
        byte[] ctx = Wire.contextBytes(context);
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(key.length) + Wire.bytesSize(ctx.length)
                + Varint.size(n) + Varint.size(w) + Varint.size(timeoutMillis));
        Wire.putBytes(out, key);
        Wire.putBytes(out, ctx);
        Varint.write(out, n);
        Varint.write(out, w);
        Varint.write(out, timeoutMillis);
        return Wire.finish(out);
    }

    public static DeleteRequest decode(byte[] body) {
        ByteReader in = new ByteReader(body);
        byte[] key = Wire.readKey(in);
        VersionVector context = Wire.readContext(in);
        int n = Wire.readReplicas(in, "n");
        int w = Wire.readReplicas(in, "w");
        long timeout = Wire.readTimeout(in);
        in.expectEnd("DELETE request");
        return Wire.construct("DELETE request", () -> new DeleteRequest(key, context, n, w, timeout));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeleteRequest d && Arrays.equals(key, d.key) && context.equals(d.context) && n == d.n
                && w == d.w && timeoutMillis == d.timeoutMillis;
    }

    @Override
    public int hashCode() {
        return (((Arrays.hashCode(key) * 31 + context.hashCode()) * 31 + n) * 31 + w) * 31
                + Long.hashCode(timeoutMillis);
    }

    @Override
    public String toString() {
        return "DeleteRequest[" + key.length + "-byte key, context=" + context + ", n=" + n + ", w=" + w
                + ", timeout=" + timeoutMillis + "ms]";
    }
}
