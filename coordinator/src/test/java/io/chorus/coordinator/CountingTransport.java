package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A transport that counts the requests its node sends, by opcode and target, into a map the test shares between
 * every node ("sender>target" → count). Confined to the simulation thread.
 */
record CountingTransport(Transport delegate, Map<String, Integer> counts, int opcode) implements Transport {

    static Map<String, Integer> newCounts() {
        return new HashMap<>();
    }

    /** How many requests of the counted opcode {@code from} sent to {@code to}. */
    static int sent(Map<String, Integer> counts, NodeId from, NodeId to) {
        return counts.getOrDefault(from + ">" + to, 0);
    }

    @Override
    public NodeId self() {
        return delegate.self();
    }

    @Override
    public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
        if (request.opcode() == opcode) {
            counts.merge(self() + ">" + to, 1, Integer::sum);
        }
        return delegate.request(to, request, timeoutMillis);
    }

    @Override
    public void serve(RequestHandler handler) {
        delegate.serve(handler);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
