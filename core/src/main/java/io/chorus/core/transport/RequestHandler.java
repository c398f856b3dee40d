package io.chorus.core.transport;

import io.chorus.core.NodeId;
import java.util.concurrent.CompletableFuture;

/**
 * Serves requests that arrive from other nodes. A failed future (or a thrown exception) carrying a
 * {@link io.chorus.core.error.ChorusException} goes back to the sender as an error reply with its code; any other
 * failure goes back as INTERNAL. Transports call it off their I/O threads, so it may do storage work, but it should
 * not block waiting for other nodes: chain futures instead.
 *
 * <p>The exception is an opcode the handler declares {@linkplain #nonBlocking non-blocking}: a transport may then
 * call it on its I/O thread, saving the hand-off to a worker thread, which costs more than a short handler does.
 */
@FunctionalInterface
public interface RequestHandler {

    CompletableFuture<Message> handle(NodeId from, Message request);

    /**
     * True if serving {@code opcode} does only short work and hand-offs on the calling thread (decode, queue a
     * storage write, send, and where the node allows it one short read of a memory-mapped store), never an fsync,
     * a lock held across I/O or a wait for another node, so that it may run on an I/O thread. Defaults to false:
     * every request is dispatched.
     */
    default boolean nonBlocking(int opcode) {
        return false;
    }
}
