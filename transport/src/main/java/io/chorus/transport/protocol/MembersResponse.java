package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * MEMBERS response: the receiving node's view of the cluster, {@code claimant:string count:varint member*} with
 * {@code member = name:string status:string alive:u8 zone:string client:string peer:string generation:varint
 * partitions:varint ringVersion:varint}. The claimant is the empty string when the node sees none. Members are kept
 * in the order given (names unique), so encoding is deterministic. Immutable.
 */
public record MembersResponse(Optional<NodeId> claimant, List<Member> members) {

    /** Smallest encoded member: a 1-byte name, "up", empty zone and addresses, and 1-byte varints. */
    private static final int MIN_MEMBER_BYTES = 12;

    /** A member's status, on the wire as its lowercase name. */
    public enum Status {
        /** Gossiping, not yet in the ring: a staged join. */
        JOINING,
        /** In the ring, serving. */
        UP,
        /** Asked to leave: staged until committed, then handing its partitions off. */
        LEAVING,
        /** Held dead by the receiving node's failure detector. */
        DOWN,
        /** Out of the cluster for good under this name. */
        REMOVED
    }

    /**
     * One member as the receiving node sees it. Immutable.
     *
     * @param id            the node's name
     * @param status        its status
     * @param alive         whether the receiving node's failure detector holds it alive
     * @param zone          its failure zone, empty when zones are not used
     * @param clientAddress the host:port clients use, empty when not known
     * @param peerAddress   the host:port other nodes use, empty when not known
     * @param generation    the generation of its gossiped state (greater after each restart)
     * @param partitions    partitions it owns in the ring being moved to
     * @param ringVersion   the version of the ring state it reports holding
     */
    public record Member(NodeId id, Status status, boolean alive, String zone, String clientAddress,
            String peerAddress, long generation, int partitions, long ringVersion) {

        public Member {
            if (id == null || status == null) {
                throw new IllegalArgumentException("member id and status must be given");
            }
            Wire.checkWord("zone of " + id, zone, ProtocolLimits.MAX_ZONE_BYTES);
            checkOptionalAddress("client address of " + id, clientAddress);
            checkOptionalAddress("peer address of " + id, peerAddress);
            Wire.checkNonNegative("generation of " + id, generation);
            Wire.checkPartitionCount("partitions of " + id, partitions);
            Wire.checkNonNegative("ring version of " + id, ringVersion);
        }

        private static void checkOptionalAddress(String what, String address) {
            if (address == null || !address.isEmpty()) {
                Wire.checkAddress(what, address);
            }
        }
    }

    public MembersResponse {
        if (claimant == null) {
            throw new IllegalArgumentException("claimant must be given (empty for none)");
        }
        members = List.copyOf(members);
        Set<NodeId> seen = new HashSet<>();
        for (Member m : members) {
            if (!seen.add(m.id())) {
                throw new IllegalArgumentException("member listed twice: " + m.id());
            }
        }
    }

    public byte[] encode() {
        BodyWriter out = new BodyWriter().string(Wire.optionalNodeName(claimant)).varint(members.size());
        for (Member m : members) {
            out.string(m.id().name()).enumName(m.status()).flag(m.alive()).string(m.zone())
                    .string(m.clientAddress()).string(m.peerAddress())
                    .varint(m.generation()).varint(m.partitions()).varint(m.ringVersion());
        }
        return out.toByteArray();
    }

    public static MembersResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        Optional<NodeId> claimant = Wire.readOptionalNode(r, "claimant");
        int count = r.count("member count", MIN_MEMBER_BYTES);
        List<Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            NodeId id = Wire.readNode(r, "member name");
            Status status = Wire.readEnum(r, "member status", Status.values());
            boolean alive = Wire.readFlag(r, "member alive");
            String zone = r.utf8("member zone", ProtocolLimits.MAX_ZONE_BYTES);
            String client = r.utf8("member client address", ProtocolLimits.MAX_ADDRESS_BYTES);
            String peer = r.utf8("member peer address", ProtocolLimits.MAX_ADDRESS_BYTES);
            long generation = Wire.readNonNegative(r, "member generation");
            int partitions = Wire.readPartitionCount(r, "member partitions");
            long ringVersion = Wire.readRingVersion(r);
            members.add(Wire.construct("member " + id, () -> new Member(id, status, alive, zone, client, peer,
                    generation, partitions, ringVersion)));
        }
        r.expectEnd("MEMBERS response");
        return Wire.construct("MEMBERS response", () -> new MembersResponse(claimant, members));
    }
}
