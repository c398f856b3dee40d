package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;

/** COMMIT response: {@code ringVersion:varint}, the version of the ring state committed. Immutable. */
public record CommitResponse(long ringVersion) {

    public CommitResponse {
        Wire.checkNonNegative("ringVersion", ringVersion);
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(Varint.size(ringVersion));
        Varint.write(out, ringVersion);
        return Wire.finish(out);
    }

    public static CommitResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long ringVersion = Wire.readRingVersion(r);
        r.expectEnd("COMMIT response");
        return new CommitResponse(ringVersion);
    }
}
