package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import java.nio.ByteBuffer;

/** REMOVE request: {@code node:string}, the dead member whose removal the receiving node is to stage. Immutable. */
public record RemoveRequest(NodeId node) {

    public RemoveRequest {
        if (node == null) {
            throw new IllegalArgumentException("node must be given");
        }
    }

    public byte[] encode() {
        byte[] utf8 = Wire.utf8(node.name());
        ByteBuffer out = ByteBuffer.allocate(Wire.bytesSize(utf8.length));
        Wire.putBytes(out, utf8);
        return Wire.finish(out);
    }

    public static RemoveRequest decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        NodeId node = Wire.readNode(r, "node");
        r.expectEnd("REMOVE request");
        return new RemoveRequest(node);
    }
}
