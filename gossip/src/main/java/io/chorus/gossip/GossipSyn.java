package io.chorus.gossip;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * GOSSIP_SYN, the first message of an exchange: the initiator's cluster name, the digest of the ring state it holds
 * (if any) and the digest of every node state it holds, in id order.
 *
 * <pre>
 * SYN    = cluster:string  hasRing:u8  [ringVersion:varint ringAuthor:string ringFingerprint:fixed64]
 *          count:varint  digest * count                                      strictly increasing nodes
 * digest = node:string  generation:varint  version:varint  contentAge:varint    contentVersion = version - age
 * </pre>
 *
 * Unbounded by the state cap: digests are about 15 bytes each and the receiver needs all of them to know what the
 * initiator lacks; {@link GossipLimits#MAX_NODES} of them at most. Immutable.
 *
 * @param ring the digest of the initiator's ring state; null when it holds none
 */
public record GossipSyn(String cluster, RingDigest ring, List<Digest> digests) {

    public GossipSyn {
        checkCluster(cluster);
        digests = GossipFields.checkIncreasing("SYN digests", digests, Digest::node, GossipLimits.MAX_NODES);
    }

    static void checkCluster(String cluster) {
        Objects.requireNonNull(cluster, "cluster");
        byte[] utf8 = cluster.getBytes(StandardCharsets.UTF_8);
        if (!new String(utf8, StandardCharsets.UTF_8).equals(cluster)) {
            throw new IllegalArgumentException("cluster name is not valid Unicode (unpaired surrogate)");
        }
        if (utf8.length > GossipLimits.MAX_CLUSTER_NAME_BYTES) {
            throw new IllegalArgumentException("cluster name longer than " + GossipLimits.MAX_CLUSTER_NAME_BYTES
                    + " UTF-8 bytes");
        }
    }

    public Message encode() {
        return encode(cluster, ring, digests);
    }

    /**
     * The SYN of these fields without building the record: for the agent, whose digests come straight from its
     * table in id order, so the record's order check (a walk that reads every id) would only repeat what holds.
     */
    static Message encode(String cluster, RingDigest ring, List<Digest> digests) {
        BodyWriter w = new BodyWriter(32 + 16 * digests.size());
        w.string(cluster);
        if (ring == null) {
            w.u8(0);
        } else {
            w.u8(1).varint(ring.version()).string(ring.author().name()).fixed64(ring.fingerprint());
        }
        GossipFields.writeDigests(w, digests);
        return Message.adopt(GossipOpcodes.GOSSIP_SYN, w.toArray());
    }

    public static GossipSyn decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        String cluster = r.utf8("SYN cluster", GossipLimits.MAX_CLUSTER_NAME_BYTES);
        int hasRing = r.u8("SYN ring flag");
        RingDigest ring = null;
        if (hasRing == 1) {
            long version = r.varlong("SYN ring version", 1, Long.MAX_VALUE);
            NodeId author = NodeStateCodec.nodeId(r, "SYN ring author");
            ring = new RingDigest(version, author, r.fixed64("SYN ring fingerprint"));
        } else if (hasRing != 0) {
            throw new MalformedEncodingException("SYN ring flag " + hasRing + " is not 0 or 1");
        }
        List<Digest> digests = GossipFields.readDigests(r, "SYN digests", GossipLimits.MAX_NODES);
        r.expectEnd("SYN");
        RingDigest ringDigest = ring;
        return GossipFields.construct("SYN", () -> new GossipSyn(cluster, ringDigest, digests));
    }
}
