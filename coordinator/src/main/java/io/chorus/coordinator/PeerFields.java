package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.NodeId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.ring.Ring;
import io.chorus.storage.StorageEngine;

/**
 * Reading and writing the fields node-to-node bodies share (partition, key, node id, sibling set), with the checks
 * every decoder applies. Malformed input is a {@link MalformedEncodingException}; the peer handler answers it
 * with BAD_REQUEST. Stateless.
 */
final class PeerFields {

    /** Sibling sets are bounded by the frame, not here; the transport's frame limit applies first. */
    private static final int MAX_SET_BYTES = Integer.MAX_VALUE;

    private PeerFields() {
    }

    static int partition(ByteReader r) {
        return (int) r.varlong("partition", 0, StorageEngine.MAX_PARTITION);
    }

    static byte[] key(ByteReader r) {
        byte[] key = r.bytes("key", StorageEngine.MAX_KEY_LENGTH);
        if (key.length == 0) {
            throw new MalformedEncodingException("key must not be empty");
        }
        return key;
    }

    /**
     * A key lives under the partition its hash names, the same in every ring of the cluster (Q is fixed): stored
     * under another, no read would ever find it. Membership is not checked here: a receiver whose ring disagrees
     * that it is a replica still takes the data (rings change; the data must not be lost meanwhile).
     *
     * @throws ChorusException BAD_REQUEST when {@code partition} is not the key's
     */
    static void checkKeyPartition(Ring ring, int partition, byte[] key) {
        int expected = ring.partitionOf(key);
        if (partition != expected) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "the key belongs to partition " + expected
                    + ", not " + partition);
        }
    }

    static NodeId node(ByteReader r, String what) {
        String name = r.utf8(what, NodeId.MAX_UTF8_LENGTH);
        try {
            return new NodeId(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(what + ": " + e.getMessage());
        }
    }

    static SiblingSet siblingSet(ByteReader r, String what) {
        return CausalCodec.decode(r.bytes(what, MAX_SET_BYTES));
    }

    static BodyWriter siblingSet(BodyWriter w, SiblingSet set) {
        return w.bytes(CausalCodec.encode(set));
    }
}
