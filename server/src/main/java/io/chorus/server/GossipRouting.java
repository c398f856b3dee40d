package io.chorus.server;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.gossip.GossipOpcodes;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A node's peer handler: gossip opcodes to the membership's gossip agent (made once the node knows its own
 * addresses, so a SYN that arrives before gets UNAVAILABLE, as from a node not yet up), the rest to the data
 * path. Thread-safe.
 */
final class GossipRouting implements RequestHandler {

    private final RequestHandler data;
    private final Supplier<RequestHandler> gossip;

    GossipRouting(RequestHandler data, Supplier<RequestHandler> gossip) {
        this.data = data;
        this.gossip = gossip;
    }

    @Override
    public CompletableFuture<Message> handle(NodeId from, Message request) {
        if (!GossipOpcodes.isGossip(request.opcode())) {
            return data.handle(from, request);
        }
        RequestHandler g = gossip.get();
        if (g == null) {
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNAVAILABLE,
                    "the node is starting: gossip is not running yet"));
        }
        return g.handle(from, request);
    }

    /** The gossip agent only decodes and hops onto its own thread. */
    @Override
    public boolean nonBlocking(int opcode) {
        return GossipOpcodes.isGossip(opcode) || data.nonBlocking(opcode);
    }
}
