package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.transport.Message;

/**
 * REPLICA_GET: {@code partition:varint key:bytes}; the reply body is the receiver's stored sibling set in the
 * causal encoding (the bytes of a {@code siblingset} without a length prefix; an absent key is the empty set).
 * Immutable by convention: the key array is not copied (package-internal message).
 */
record ReplicaGet(int partition, byte[] key) {

    Message encode() {
        return Message.adopt(PeerOpcodes.REPLICA_GET,
                new BodyWriter(key.length + 4).varint(partition).bytes(key).toArray());
    }

    static ReplicaGet decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        ReplicaGet get = new ReplicaGet(PeerFields.partition(r), PeerFields.key(r));
        r.expectEnd("REPLICA_GET");
        return get;
    }

    /** The reply: the stored state's encoding as the engine holds it ({@code StorageEngine#getEncoded}). */
    static Message reply(byte[] encodedState) {
        return Message.adopt(PeerOpcodes.REPLICA_GET, encodedState);
    }
}
