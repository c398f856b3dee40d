package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import java.nio.ByteBuffer;

/**
 * The first frame of every connection: {@code minVersion:u8 maxVersion:u8 role:u8 name:string}. For a node the
 * name is its node id; for a client, a name for logs. Immutable.
 */
public record HelloRequest(int minVersion, int maxVersion, Role role, String name) {

    public HelloRequest {
        if (minVersion < 1 || maxVersion > 0xFF || minVersion > maxVersion) {
            throw new IllegalArgumentException("versions must satisfy 1 <= min <= max <= 255: " + minVersion + ".."
                    + maxVersion);
        }
        if (role == null) {
            throw new IllegalArgumentException("role must be given");
        }
        Wire.checkName("name", name);
    }

    /** A HELLO offering every version this implementation speaks. */
    public static HelloRequest of(Role role, String name) {
        return new HelloRequest(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED, role, name);
    }

    /** The name as the {@code from} of requests on this connection. */
    public NodeId from() {
        return new NodeId(name);
    }

    public byte[] encode() {
        byte[] nameBytes = Wire.utf8(name);
        ByteBuffer out = ByteBuffer.allocate(3 + Wire.bytesSize(nameBytes.length));
        out.put((byte) minVersion).put((byte) maxVersion).put((byte) role.wire());
        Wire.putBytes(out, nameBytes);
        return Wire.finish(out);
    }

    public static HelloRequest decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int min = r.u8("minVersion");
        int max = r.u8("maxVersion");
        Role role = Role.fromWire(r.u8("role"));
        String name = r.utf8("name", ProtocolLimits.MAX_NAME_BYTES);
        r.expectEnd("HELLO request");
        return Wire.construct("HELLO request", () -> new HelloRequest(min, max, role, name));
    }
}
