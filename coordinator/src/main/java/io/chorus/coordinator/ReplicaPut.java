package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.transport.Message;

/**
 * REPLICA_PUT: {@code partition:varint key:bytes value:siblingset}. The receiver merges {@code value} into its
 * store and replies with an empty body once the merge is durable. Sent by a write's coordinator to the other
 * primaries, by read repair, and by hint replay to a hint's owner. Idempotent (merge is), so duplicates are
 * harmless. Immutable by convention: the key array is not copied (package-internal message).
 */
record ReplicaPut(int partition, byte[] key, SiblingSet value) {

    Message encode() {
        BodyWriter w = new BodyWriter(key.length + 64).varint(partition).bytes(key);
        return Message.adopt(PeerOpcodes.REPLICA_PUT, PeerFields.siblingSet(w, value).toArray());
    }

    static ReplicaPut decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        ReplicaPut put = new ReplicaPut(PeerFields.partition(r), PeerFields.key(r), PeerFields.siblingSet(r, "value"));
        r.expectEnd("REPLICA_PUT");
        return put;
    }
}
