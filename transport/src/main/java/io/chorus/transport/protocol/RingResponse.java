package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * RING response: {@code ringState:bytes}, the ring state the receiving node holds in the ring module's ring state
 * encoding. It stays opaque here (the ring module's {@code RingStateCodec} reads it), so the transport does not
 * depend on the ring. The array is shared, not copied; do not mutate it. Immutable under that rule.
 */
public record RingResponse(byte[] ringState) {

    public RingResponse {
        if (ringState == null) {
            throw new IllegalArgumentException("ring state must be given");
        }
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(ringState.length));
        Wire.putBytes(out, ringState);
        return Wire.finish(out);
    }

    public static RingResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        byte[] ringState = r.bytes("ring state", Integer.MAX_VALUE);
        r.expectEnd("RING response");
        return new RingResponse(ringState);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RingResponse other && Arrays.equals(ringState, other.ringState);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ringState);
    }

    @Override
    public String toString() {
        return "RingResponse[" + ringState.length + "-byte ring state]";
    }
}
