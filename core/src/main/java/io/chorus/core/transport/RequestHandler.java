package io.chorus.core.transport;

import io.chorus.core.NodeId;
import java.util.concurrent.CompletableFuture;

/**
 * Serves requests that arrive from other nodes. A failed future (or a thrown exception) carrying a
 * {@link io.chorus.core.error.ChorusException} goes back to the sender as an error reply with its code; any other
 * failure goes back as INTERNAL. Transports call it off their I/O threads, so it may do storage work, but it should
 * not block waiting for other nodes: chain futures instead.
 */
@FunctionalInterface
public interface RequestHandler {

    CompletableFuture<Message> handle(NodeId from, Message request);
}
