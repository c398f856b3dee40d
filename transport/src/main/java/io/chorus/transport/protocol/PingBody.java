package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * PING request and response alike: {@code payload:bytes}, at most 1 KiB (more is TOO_LARGE); the response echoes
 * the request's payload. The array is shared, not copied; do not mutate it. Immutable under that rule.
 */
public record PingBody(byte[] payload) {

    public PingBody {
        if (payload.length > ProtocolLimits.MAX_PING_PAYLOAD_BYTES) {
            throw new LimitExceededException(ErrorCode.TOO_LARGE, "PING payload", payload.length,
                    ProtocolLimits.MAX_PING_PAYLOAD_BYTES);
        }
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(payload.length));
        Wire.putBytes(out, payload);
        return Wire.finish(out);
    }

    public static PingBody decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        byte[] payload = r.bytes("payload", Integer.MAX_VALUE);
        r.expectEnd("PING");
        return new PingBody(payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PingBody p && Arrays.equals(payload, p.payload);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "PingBody[" + payload.length + " bytes]";
    }
}
