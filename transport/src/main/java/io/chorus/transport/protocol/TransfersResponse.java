package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import java.util.ArrayList;
import java.util.List;

/**
 * TRANSFERS response: the partition handoffs the receiving node takes part in, {@code ringVersion:varint
 * moving:varint count:varint transfer*} with {@code transfer = partition:varint role:string state:string
 * peerCount:varint peer:string* keysMoved:varint bytesMoved:varint syncs:varint}. Transfers keep the order given, so
 * encoding is deterministic. Immutable.
 *
 * @param ringVersion the version of the ring state the node holds
 * @param moving      partitions of that ring state still moving, in the whole cluster
 * @param transfers   this node's part in them
 */
public record TransfersResponse(long ringVersion, int moving, List<Transfer> transfers) {

    /** Smallest encoded transfer: partition, "stray", "done", no peers and three 1-byte varints. */
    private static final int MIN_TRANSFER_BYTES = 16;
    /** Smallest encoded peer: a 1-byte name with its length. */
    private static final int MIN_PEER_BYTES = 2;

    /** The node's part in a partition's move, on the wire as its lowercase name. */
    public enum Role {
        /** It is a new replica of the partition. */
        RECEIVE,
        /** It gives the partition up. */
        RELEASE,
        /** It holds the partition without being a replica of it. */
        STRAY
    }

    /** How far the node's part has got, on the wire as its lowercase name. */
    public enum State {
        /** Waiting for the commit to be seen everywhere, or for a peer. */
        WAITING,
        SYNCING,
        DONE
    }

    /**
     * One partition's handoff as the node sees it. Immutable.
     *
     * @param partition  the partition, {@code 0..65535}
     * @param peers      the nodes it syncs the partition with
     * @param keysMoved  keys fetched plus pushed so far
     * @param bytesMoved bytes sent plus received so far
     * @param syncs      syncs run so far
     */
    public record Transfer(int partition, Role role, State state, List<NodeId> peers, long keysMoved,
            long bytesMoved, long syncs) {

        public Transfer {
            if (partition < 0 || partition > ProtocolLimits.MAX_PARTITION) {
                throw new IllegalArgumentException("partition " + partition + " outside [0, "
                        + ProtocolLimits.MAX_PARTITION + "]");
            }
            if (role == null || state == null) {
                throw new IllegalArgumentException("role and state of partition " + partition + " must be given");
            }
            peers = List.copyOf(peers);
            Wire.checkNonNegative("keysMoved", keysMoved);
            Wire.checkNonNegative("bytesMoved", bytesMoved);
            Wire.checkNonNegative("syncs", syncs);
        }
    }

    public TransfersResponse {
        Wire.checkNonNegative("ringVersion", ringVersion);
        Wire.checkPartitionCount("moving", moving);
        transfers = List.copyOf(transfers);
    }

    public byte[] encode() {
        BodyWriter out = new BodyWriter().varint(ringVersion).varint(moving).varint(transfers.size());
        for (Transfer t : transfers) {
            out.varint(t.partition()).enumName(t.role()).enumName(t.state()).varint(t.peers().size());
            for (NodeId peer : t.peers()) {
                out.string(peer.name());
            }
            out.varint(t.keysMoved()).varint(t.bytesMoved()).varint(t.syncs());
        }
        return out.toByteArray();
    }

    public static TransfersResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        long ringVersion = Wire.readRingVersion(r);
        int moving = Wire.readPartitionCount(r, "moving");
        int count = r.count("transfer count", MIN_TRANSFER_BYTES);
        List<Transfer> transfers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int partition = (int) r.varlong("partition", 0, ProtocolLimits.MAX_PARTITION);
            Role role = Wire.readEnum(r, "transfer role", Role.values());
            State state = Wire.readEnum(r, "transfer state", State.values());
            int peerCount = r.count("peer count", MIN_PEER_BYTES);
            List<NodeId> peers = new ArrayList<>(peerCount);
            for (int k = 0; k < peerCount; k++) {
                peers.add(Wire.readNode(r, "peer"));
            }
            long keysMoved = Wire.readNonNegative(r, "keysMoved");
            long bytesMoved = Wire.readNonNegative(r, "bytesMoved");
            long syncs = Wire.readNonNegative(r, "syncs");
            transfers.add(Wire.construct("transfer of partition " + partition,
                    () -> new Transfer(partition, role, state, peers, keysMoved, bytesMoved, syncs)));
        }
        r.expectEnd("TRANSFERS response");
        return Wire.construct("TRANSFERS response", () -> new TransfersResponse(ringVersion, moving, transfers));
    }
}
