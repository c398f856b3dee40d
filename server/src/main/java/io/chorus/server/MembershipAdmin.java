package io.chorus.server;

import io.chorus.coordinator.Handoff;
import io.chorus.coordinator.TransferProgress;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.gossip.Change;
import io.chorus.gossip.MembershipView;
import io.chorus.gossip.NodeState;
import io.chorus.gossip.Plan;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import io.chorus.transport.protocol.CommitResponse;
import io.chorus.transport.protocol.MembersResponse;
import io.chorus.transport.protocol.PlanResponse;
import io.chorus.transport.protocol.RingResponse;
import io.chorus.transport.protocol.TransfersResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The membership admin opcodes of one node (MEMBERS, RING, JOIN, LEAVE, REMOVE, PLAN, COMMIT, TRANSFERS): turns its
 * membership and handoff into the wire's records and back. Answers are this node's view; the CLI asks several
 * nodes when it needs the cluster's. Thread-safe.
 */
final class MembershipAdmin {

    private final Supplier<NodeMembership> membership;
    private final Supplier<Handoff> handoff;

    MembershipAdmin(Supplier<NodeMembership> membership, Supplier<Handoff> handoff) {
        this.membership = membership;
        this.handoff = handoff;
    }

    private NodeMembership m() {
        NodeMembership m = membership.get();
        if (m == null) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, "the node is starting: membership is not running yet");
        }
        return m;
    }

    MembersResponse members() {
        NodeMembership m = m();
        MembershipView view = m.view();
        RingState ring = m.ring();
        List<MembersResponse.Member> out = new ArrayList<>();
        for (NodeState s : view.states().values()) {
            NodeId id = s.id();
            out.add(new MembersResponse.Member(id,
                    MembersResponse.Status.valueOf(view.status(id).name()), view.isAlive(id), s.zone(),
                    s.clientAddress(), s.peerAddress(), s.generation(), ring == null ? 0 : ring.to().load(id),
                    s.ringVersion()));
        }
        return new MembersResponse(Optional.ofNullable(m.claimantName()), out);
    }

    RingResponse ring() {
        RingState r = m().ring();
        if (r == null) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, "this node is not a member of a cluster yet");
        }
        return new RingResponse(RingStateCodec.encode(r));
    }

    PlanResponse plan() {
        NodeMembership m = m();
        Plan plan = m.plan();
        List<PlanResponse.Change> changes = new ArrayList<>();
        for (Change c : plan.changes()) {
            changes.add(new PlanResponse.Change(PlanResponse.Kind.valueOf(c.kind().name()), c.node()));
        }
        List<PlanResponse.Receiver> receivers = new ArrayList<>();
        plan.transfers().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> receivers.add(new PlanResponse.Receiver(e.getKey(), e.getValue())));
        return new PlanResponse(Optional.ofNullable(m.claimantName()), plan.baseVersion(),
                Optional.ofNullable(plan.problem()), plan.token(), plan.ownershipMoves(), changes, receivers);
    }

    CompletableFuture<Void> leave() {
        return m().leave();
    }

    CompletableFuture<Void> remove(NodeId node) {
        return m().remove(node);
    }

    CompletableFuture<CommitResponse> commit(long token) {
        return m().commit(token).thenApply(CommitResponse::new);
    }

    CompletableFuture<Void> join(String seed) {
        return m().join(HostPort.parse(seed));
    }

    TransfersResponse transfers() {
        RingState r = m().ring();
        Handoff h = handoff.get();
        List<TransfersResponse.Transfer> out = new ArrayList<>();
        if (h != null) {
            for (TransferProgress t : h.transfers()) {
                out.add(new TransfersResponse.Transfer(t.partition(),
                        TransfersResponse.Role.valueOf(t.role().name()),
                        TransfersResponse.State.valueOf(t.state().name()), t.peers(), t.keysMoved(), t.bytesMoved(),
                        t.syncs()));
            }
        }
        return new TransfersResponse(r == null ? 0 : r.version(), r == null ? 0 : r.moving().cardinality(), out);
    }
}
