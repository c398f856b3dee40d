package io.chorus.transport.protocol;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.ByteReader;

/**
 * PUT response: {@code ringVersion:varint value:siblingset}, the key's state after the write. Immutable.
 */
public record PutResponse(long ringVersion, SiblingSet value) {

    public PutResponse {
        Wire.checkNonNegative("ringVersion", ringVersion);
        if (value == null) {
            throw new IllegalArgumentException("value must be given");
        }
    }

    public byte[] encode() {
        return Wire.encodeSiblingResponse(ringVersion, value);
    }

    public static PutResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long ring = Wire.readRingVersion(r);
        SiblingSet value = Wire.readSiblingSet(r);
        r.expectEnd("PUT response");
        return new PutResponse(ring, value);
    }
}
