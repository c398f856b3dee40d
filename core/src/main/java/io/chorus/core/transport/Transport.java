package io.chorus.core.transport;

import io.chorus.core.NodeId;
import java.util.concurrent.CompletableFuture;

/**
 * Node-to-node request/response messaging, the seam between a node's protocol logic and the network. Production
 * uses Netty; tests use the testkit's simulated network, which can delay, drop, duplicate, reorder and partition.
 *
 * <p>Every request ends: with the reply, or with a {@link io.chorus.core.error.ChorusException} whose code says
 * why (UNAVAILABLE when the node cannot be reached, TIMEOUT when no reply came in time, or the remote node's own
 * error code). Nothing is retried behind the caller's back. Production implementations are thread-safe; the simulated
 * network is confined to its simulation thread.
 */
public interface Transport extends AutoCloseable {

    /** The node this transport speaks for. */
    NodeId self();

    /** Sends {@code request} to {@code to} and completes with its reply, failing after {@code timeoutMillis}. */
    CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis);

    /** Installs the handler for requests from other nodes; before this, inbound requests get UNAVAILABLE. */
    void serve(RequestHandler handler);

    /** Stops sending and serving; requests in flight fail with UNAVAILABLE. */
    @Override
    void close();
}
