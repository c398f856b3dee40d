package io.chorus.transport.protocol;

import io.chorus.core.causal.VersionVector;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;

/** DELETE response: {@code ringVersion:varint context:context}, the context after the tombstone write. Immutable. */
public record DeleteResponse(long ringVersion, VersionVector context) {

    public DeleteResponse {
        Wire.checkNonNegative("ringVersion", ringVersion);
        if (context == null) {
            throw new IllegalArgumentException("context must be given");
        }
    }

    public byte[] encode() {
        byte[] ctx = Wire.contextBytes(context);
        ByteBuffer out = ByteBuffer.allocate(Varint.size(ringVersion) + Wire.bytesSize(ctx.length));
        Varint.write(out, ringVersion);
        Wire.putBytes(out, ctx);
        return Wire.finish(out);
    }

    public static DeleteResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long ring = Wire.readRingVersion(r);
        VersionVector context = Wire.readContext(r);
        r.expectEnd("DELETE response");
        return new DeleteResponse(ring, context);
    }
}
