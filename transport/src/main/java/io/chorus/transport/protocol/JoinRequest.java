package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import java.nio.ByteBuffer;

/**
 * JOIN request: {@code seed:string}, the peer address ({@code host:port}) of any member of the cluster the
 * receiving node is to join. Immutable.
 */
public record JoinRequest(String seed) {

    public JoinRequest {
        Wire.checkAddress("seed", seed);
    }

    public byte[] encode() {
        byte[] utf8 = Wire.utf8(seed);
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(utf8.length));
        Wire.putBytes(out, utf8);
        return Wire.finish(out);
    }

    public static JoinRequest decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        String seed = r.utf8("seed", ProtocolLimits.MAX_ADDRESS_BYTES);
        r.expectEnd("JOIN request");
        return Wire.construct("JOIN request", () -> new JoinRequest(seed));
    }
}
