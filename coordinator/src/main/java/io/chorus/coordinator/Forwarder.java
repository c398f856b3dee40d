package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.core.error.NotSentException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Passes a client request from a node outside the key's preference list to a replica (FORWARD): the replicas
 * Liveness calls alive first, in preference order, then the others. It moves to the next replica only when the
 * request could not be delivered (UNAVAILABLE; for a write, only when it surely never left: a
 * {@link NotSentException}) or was refused unrun (FORBIDDEN: the replica does not count this node a member yet,
 * as right after a join, before gossip reached it; NOT_A_REPLICA: the replica's ring, newer or older than this
 * node's, gives the key to others), never after a timeout or another error of the replica: a write
 * that may have run must not run twice (it would add a duplicate sibling). When every replica refused this node,
 * the client gets UNAVAILABLE: it is not the client that is forbidden, and the request ran nowhere. Stateless;
 * each forward's progress lives in its callbacks.
 */
final class Forwarder {

    private Forwarder() {
    }

    /**
     * Whether the next replica may be asked: a read whenever this one was unavailable; a write only when it surely
     * never reached this one ({@link NotSentException}), since a connection lost with the FORWARD in flight may
     * have lost only the answer, and a second run would add a duplicate sibling.
     */
    private static boolean neverRan(Forward request, Throwable failure) {
        if (refusedUnrun(failure)) {
            return true;
        }
        ErrorCode code = NodeServices.codeOf(failure);
        if (code != ErrorCode.UNAVAILABLE) {
            return false;
        }
        return request.clientOpcode() == Forward.GET || Failures.unwrap(failure) instanceof NotSentException;
    }

    private static boolean refusedUnrun(Throwable failure) {
        ErrorCode code = NodeServices.codeOf(failure);
        return code == ErrorCode.FORBIDDEN || code == ErrorCode.NOT_A_REPLICA;
    }

    /**
     * Whether a forward's failure is that every replica refused it unrun as NOT_A_REPLICA (the last refusal is its
     * cause): their rings and the forwarding node's disagree on the key's replicas, which gossip mends.
     */
    static boolean refusedByRingsThatDisagree(Throwable failure) {
        Throwable f = Failures.unwrap(failure);
        return f instanceof ChorusException c && c.code() == ErrorCode.UNAVAILABLE && c.getCause() != null
                && NodeServices.codeOf(c.getCause()) == ErrorCode.NOT_A_REPLICA;
    }

    static CompletableFuture<SiblingSet> forward(NodeServices node, Forward request, List<NodeId> primaries) {
        node.counters().forwards.increment();
        List<NodeId> order = new ArrayList<>(primaries.size());
        primaries.stream().filter(node.liveness()::isAlive).forEach(order::add);
        primaries.stream().filter(p -> !node.liveness().isAlive(p)).forEach(order::add);
        CompletableFuture<SiblingSet> result = new CompletableFuture<>();
        attempt(node, request, order, 0, result);
        return result;
    }

    private static void attempt(NodeServices node, Forward request, List<NodeId> order, int index,
            CompletableFuture<SiblingSet> result) {
        NodeId to = order.get(index);
        long timeout = request.timeoutMillis() + node.config().forwardSlackMillis();
        node.transport().request(to, request.encode(), timeout).whenComplete((reply, failure) -> {
            node.report(to, failure);
            if (failure == null) {
                try {
                    result.complete(CausalCodec.decode(reply.bodyUnsafe()));
                } catch (RuntimeException corrupt) {
                    result.completeExceptionally(new ChorusException(ErrorCode.CORRUPT,
                            to + " answered a FORWARD with a sibling set that does not decode", corrupt));
                }
            } else if (neverRan(request, failure) && index + 1 < order.size()) {
                attempt(node, request, order, index + 1, result);
            } else if (refusedUnrun(failure)) {
                result.completeExceptionally(new ChorusException(ErrorCode.UNAVAILABLE,
                        "no replica takes a forward from " + node.self() + " yet: "
                                + Failures.unwrap(failure).getMessage(), Failures.unwrap(failure)));
            } else {
                result.completeExceptionally(Failures.unwrap(failure));
            }
        });
    }
}
