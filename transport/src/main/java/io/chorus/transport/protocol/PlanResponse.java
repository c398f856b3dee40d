package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.codec.ByteReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * PLAN response: what committing the staged membership changes would do now, as the receiving node computes it.
 * {@code claimant:string baseVersion:varint problem:string token:fixed64 ownershipMoves:varint changeCount:varint
 * (kind:string node:string)* receiverCount:varint (node:string partitions:varint)*}. The claimant and the problem
 * are the empty string for none. Lists keep the order given (receivers' nodes unique), so encoding is deterministic.
 * Immutable.
 *
 * @param claimant       the node that would commit, empty when the receiving node sees none
 * @param baseVersion    the version of the ring state the plan starts from
 * @param problem        why the plan cannot be committed; empty when it can, or when there is nothing to do
 * @param token          names the plan, for a COMMIT of exactly it (any 64-bit value)
 * @param ownershipMoves partitions whose owner changes
 * @param changes        the staged changes the plan carries out
 * @param receivers      per node, how many partitions it would receive
 */
public record PlanResponse(Optional<NodeId> claimant, long baseVersion, Optional<String> problem, long token,
        int ownershipMoves, List<Change> changes, List<Receiver> receivers) {

    /** Smallest encoded change: "join" and a 1-byte node, each with its length. */
    private static final int MIN_CHANGE_BYTES = 7;
    /** Smallest encoded receiver: a 1-byte node with its length and a 1-byte count. */
    private static final int MIN_RECEIVER_BYTES = 3;

    /** What a staged change does, on the wire as its lowercase name. */
    public enum Kind { JOIN, LEAVE, REMOVE }

    /** One staged change. Immutable. */
    public record Change(Kind kind, NodeId node) {
        public Change {
            if (kind == null || node == null) {
                throw new IllegalArgumentException("change kind and node must be given");
            }
        }
    }

    /** A node that would receive {@code partitions} partitions (replica moves for the cluster's N). Immutable. */
    public record Receiver(NodeId node, int partitions) {
        public Receiver {
            if (node == null) {
                throw new IllegalArgumentException("receiver node must be given");
            }
            Wire.checkPartitionCount("partitions received by " + node, partitions);
        }
    }

    public PlanResponse {
        if (claimant == null || problem == null) {
            throw new IllegalArgumentException("claimant and problem must be given (empty for none)");
        }
        // Present-but-empty would be a second way to say "none", and the wire has only one.
        if (problem.isPresent()) {
            if (problem.get().isEmpty()) {
                throw new IllegalArgumentException("an empty problem is no problem: use Optional.empty()");
            }
            Wire.checkText("problem", problem.get(), ProtocolLimits.MAX_PROBLEM_BYTES);
        }
        Wire.checkNonNegative("baseVersion", baseVersion);
        Wire.checkPartitionCount("ownershipMoves", ownershipMoves);
        changes = List.copyOf(changes);
        receivers = List.copyOf(receivers);
        Set<NodeId> seen = new HashSet<>();
        for (Receiver receiver : receivers) {
            if (!seen.add(receiver.node())) {
                throw new IllegalArgumentException("receiver listed twice: " + receiver.node());
            }
        }
    }

    /** Whether a COMMIT of this plan could succeed: there are changes, and nothing stands in the way. */
    public boolean committable() {
        return problem.isEmpty() && !changes.isEmpty();
    }

    public byte[] encode() {
        BodyWriter out = new BodyWriter().string(Wire.optionalNodeName(claimant)).varint(baseVersion)
                .string(problem.orElse("")).fixed64(token).varint(ownershipMoves).varint(changes.size());
        for (Change c : changes) {
            out.enumName(c.kind()).string(c.node().name());
        }
        out.varint(receivers.size());
        for (Receiver receiver : receivers) {
            out.string(receiver.node().name()).varint(receiver.partitions());
        }
        return out.toByteArray();
    }

    public static PlanResponse decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        Optional<NodeId> claimant = Wire.readOptionalNode(r, "claimant");
        long baseVersion = Wire.readNonNegative(r, "baseVersion");
        String problem = r.utf8("problem", ProtocolLimits.MAX_PROBLEM_BYTES);
        long token = r.fixed64("token");
        int ownershipMoves = Wire.readPartitionCount(r, "ownershipMoves");
        int changeCount = r.count("change count", MIN_CHANGE_BYTES);
        List<Change> changes = new ArrayList<>(changeCount);
        for (int i = 0; i < changeCount; i++) {
            Kind kind = Wire.readEnum(r, "change kind", Kind.values());
            changes.add(new Change(kind, Wire.readNode(r, "change node")));
        }
        int receiverCount = r.count("receiver count", MIN_RECEIVER_BYTES);
        List<Receiver> receivers = new ArrayList<>(receiverCount);
        for (int i = 0; i < receiverCount; i++) {
            NodeId node = Wire.readNode(r, "receiver node");
            int partitions = Wire.readPartitionCount(r, "receiver partitions");
            receivers.add(Wire.construct("receiver " + node, () -> new Receiver(node, partitions)));
        }
        r.expectEnd("PLAN response");
        return Wire.construct("PLAN response", () -> new PlanResponse(claimant, baseVersion,
                problem.isEmpty() ? Optional.empty() : Optional.of(problem), token, ownershipMoves, changes,
                receivers));
    }
}
