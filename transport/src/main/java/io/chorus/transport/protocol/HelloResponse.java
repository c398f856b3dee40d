package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import java.nio.ByteBuffer;

/** The server's answer to HELLO: {@code version:u8 nodeId:string ringVersion:varint}. Immutable. */
public record HelloResponse(int version, NodeId nodeId, long ringVersion) {

    public HelloResponse {
        if (version < 1 || version > 0xFF) {
            throw new IllegalArgumentException("version must be in 1..255: " + version);
        }
        if (nodeId == null) {
            throw new IllegalArgumentException("node id must be given");
        }
        Wire.checkNonNegative("ringVersion", ringVersion);
    }

    public byte[] encode() {
        byte[] id = Wire.utf8(nodeId.name());
        ByteBuffer out = ByteBuffer.allocate(1 + Wire.bytesSize(id.length) + Varint.size(ringVersion));
        out.put((byte) version);
        Wire.putBytes(out, id);
        Varint.write(out, ringVersion);
        return Wire.finish(out);
    }

    public static HelloResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int version = r.u8("version");
        String id = r.utf8("nodeId", ProtocolLimits.MAX_NAME_BYTES);
        long ring = Wire.readNonNegative(r, "ringVersion");
        r.expectEnd("HELLO response");
        return Wire.construct("HELLO response", () -> new HelloResponse(version, new NodeId(id), ring));
    }
}
