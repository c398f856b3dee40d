package io.chorus.server;

import io.chorus.coordinator.PeerOpcodes;
import io.chorus.core.NodeId;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.protocol.Opcodes;
import java.util.concurrent.CompletableFuture;

/**
 * Lets a handler's reads run on the event loop that received them instead of hopping to the dispatch pool: a
 * client GET (the coordinator's local read, then sends) and a replica's REPLICA_GET (one local read). A lookup in
 * a resident LMDB map takes about a microsecond, less than the two thread hand-offs it saves; what a read can wait
 * for there is a page fault of a map larger than memory, and the writer's remap of a growing map (ReadGate: the
 * remap waits for reads in progress on other threads, an anti-entropy chunk among them, and the loop's read waits
 * for the remap), never an fsync or another node. Off ({@code reads_on_event_loop: false}), every read hops as before, for a map
 * that does not fit in memory. Thread-safe if the wrapped handler is.
 */
final class ReadsOnLoop implements RequestHandler {

    private final RequestHandler delegate;
    private final int readOpcode;

    private ReadsOnLoop(RequestHandler delegate, int readOpcode) {
        this.delegate = delegate;
        this.readOpcode = readOpcode;
    }

    /** The client handler, its GETs on the loop when {@code on}. */
    static RequestHandler clients(RequestHandler delegate, boolean on) {
        return on ? new ReadsOnLoop(delegate, Opcodes.GET) : delegate;
    }

    /** The peer handler, its REPLICA_GETs on the loop when {@code on}. */
    static RequestHandler peers(RequestHandler delegate, boolean on) {
        return on ? new ReadsOnLoop(delegate, PeerOpcodes.REPLICA_GET) : delegate;
    }

    @Override
    public CompletableFuture<Message> handle(NodeId from, Message request) {
        return delegate.handle(from, request);
    }

    @Override
    public boolean nonBlocking(int opcode) {
        return opcode == readOpcode || delegate.nonBlocking(opcode);
    }
}
