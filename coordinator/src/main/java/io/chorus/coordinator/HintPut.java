package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.transport.Message;

/**
 * HINT_PUT: {@code owner:string partition:varint key:bytes value:siblingset}. A write's coordinator sends it to a
 * fallback node in place of an unreachable primary {@code owner}; the fallback stores it durably as a hint (not in
 * its own data) and replies with an empty body, which counts toward W. Immutable by convention: the key array is
 * not copied (package-internal message).
 */
record HintPut(NodeId owner, int partition, byte[] key, SiblingSet value) {

    Message encode() {
        BodyWriter w = new BodyWriter(key.length + 96).string(owner.name()).varint(partition).bytes(key);
        return Message.adopt(PeerOpcodes.HINT_PUT, PeerFields.siblingSet(w, value).toArray());
    }

    static HintPut decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        HintPut put = new HintPut(PeerFields.node(r, "owner"), PeerFields.partition(r), PeerFields.key(r),
                PeerFields.siblingSet(r, "value"));
        r.expectEnd("HINT_PUT");
        return put;
    }
}
