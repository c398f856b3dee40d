package io.chorus.transport.protocol;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.ByteReader;

/**
 * GET response: {@code ringVersion:varint value:siblingset}. "Not found" is a set with no live sibling, whose
 * context still goes back with the next PUT. Immutable.
 */
public record GetResponse(long ringVersion, SiblingSet value) {

    public GetResponse {
        Wire.checkNonNegative("ringVersion", ringVersion);
        if (value == null) {
            throw new IllegalArgumentException("value must be given");
        }
    }

    public byte[] encode() {
        return Wire.encodeSiblingResponse(ringVersion, value);
    }

    public static GetResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long ring = Wire.readRingVersion(r);
        SiblingSet value = Wire.readSiblingSet(r);
        r.expectEnd("GET response");
        return new GetResponse(ring, value);
    }
}
