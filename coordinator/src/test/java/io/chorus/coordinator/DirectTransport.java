package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Nodes in one process without a network, for tests on real LMDB stores where the simulation's single thread does
 * not fit (storage completes on its writer thread): a request runs the receiver's handler on {@code executor}
 * with the encoded message, so every codec is exercised, and its reply comes back as bytes. No timeouts, no
 * faults: a missing node is UNAVAILABLE.
 */
final class DirectTransport implements Transport {

    private final NodeId self;
    private final Map<NodeId, RequestHandler> handlers;
    private final Executor executor;

    private DirectTransport(NodeId self, Map<NodeId, RequestHandler> handlers, Executor executor) {
        this.self = self;
        this.handlers = handlers;
        this.executor = executor;
    }

    /** The transports of one group share their handler table. */
    static final class Group {
        private final Map<NodeId, RequestHandler> handlers = new ConcurrentHashMap<>();
        private final Executor executor;

        Group(Executor executor) {
            this.executor = executor;
        }

        DirectTransport transport(NodeId id) {
            return new DirectTransport(id, handlers, executor);
        }
    }

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
        RequestHandler h = handlers.get(to);
        if (h == null) {
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNAVAILABLE, to + " is not serving"));
        }
        Message copy = Message.of(request.opcode(), request.bodyUnsafe());
        return CompletableFuture.supplyAsync(() -> h.handle(self, copy), executor).thenCompose(f -> f)
                .thenApply(reply -> Message.of(reply.opcode(), reply.bodyUnsafe()));
    }

    @Override
    public void serve(RequestHandler handler) {
        handlers.put(self, handler);
    }

    @Override
    public void close() {
        handlers.remove(self);
    }
}
