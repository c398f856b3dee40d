package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.ring.RingState;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Serves the coordinator's node-to-node messages: REPLICA_PUT (merge into storage), REPLICA_GET (read storage),
 * HINT_PUT (store a hint, or merge when this node is the owner) and FORWARD (coordinate a client request). Write
 * replies are sent only once the write is durable. A body that does not decode is BAD_REQUEST, and so are a key sent
 * under a partition that is not its own and a hint for a node that is no member of the ring; an unknown opcode
 * UNKNOWN_OPCODE. Thread-safe: stateless apart from its thread-safe collaborators.
 */
final class PeerHandler implements RequestHandler {

    private static final Message EMPTY_PUT_REPLY = Message.adopt(PeerOpcodes.REPLICA_PUT, new byte[0]);
    private static final Message EMPTY_HINT_REPLY = Message.adopt(PeerOpcodes.HINT_PUT, new byte[0]);

    private final NodeServices node;
    private final HintStore hints;
    private final Coordinator coordinator;
    private final Supplier<RingState> ring;

    PeerHandler(NodeServices node, HintStore hints, Coordinator coordinator, Supplier<RingState> ring) {
        this.node = node;
        this.hints = hints;
        this.coordinator = coordinator;
        this.ring = ring;
    }

    @Override
    public CompletableFuture<Message> handle(NodeId from, Message request) {
        try {
            return switch (request.opcode()) {
                case PeerOpcodes.REPLICA_PUT -> replicaPut(ReplicaPut.decode(request.bodyUnsafe()));
                case PeerOpcodes.REPLICA_GET -> replicaGet(ReplicaGet.decode(request.bodyUnsafe()));
                case PeerOpcodes.HINT_PUT -> hintPut(HintPut.decode(request.bodyUnsafe()));
                case PeerOpcodes.FORWARD -> coordinator.coordinateForwarded(Forward.decode(request.bodyUnsafe()))
                        .thenApply(Forward::reply);
                default -> CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNKNOWN_OPCODE,
                        String.format("the coordinator does not serve opcode 0x%04x", request.opcode())));
            };
        } catch (MalformedEncodingException e) {
            // In a request, bytes that do not decode are the sender's fault (CORRUPT is for stored data).
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.BAD_REQUEST, e.getMessage(), e));
        } catch (ChorusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** REPLICA_PUT only queues a write: HINT_PUT counts the hint area, REPLICA_GET reads, FORWARD may read. */
    @Override
    public boolean nonBlocking(int opcode) {
        return opcode == PeerOpcodes.REPLICA_PUT;
    }

    private RingState current() {
        RingState r = ring.get();
        if (r == null) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, node.self() + " is not a member of a cluster yet");
        }
        return r;
    }

    private void checkPartition(int partition, byte[] key) {
        PeerFields.checkKeyPartition(current().to(), partition, key);
    }

    // The ack completes on the storage writer's thread, which only frames it and queues it to the event loop:
    // cheaper than a hop to another thread first.
    private CompletableFuture<Message> replicaPut(ReplicaPut put) {
        checkPartition(put.partition(), put.key());
        return node.storage().put(put.partition(), put.key(), put.value())
                .thenApply(s -> EMPTY_PUT_REPLY);
    }

    // The stored bytes go out as they are: the coordinator decodes each distinct reply once, and equal states
    // have equal bytes, so replicas in sync cost it one decode in all (see ReadRequest).
    private CompletableFuture<Message> replicaGet(ReplicaGet get) {
        checkPartition(get.partition(), get.key());
        return CompletableFuture.completedFuture(ReplicaGet.reply(
                node.storage().getEncoded(get.partition(), get.key())));
    }

    private CompletableFuture<Message> hintPut(HintPut put) {
        checkPartition(put.partition(), put.key());
        if (!current().isMember(put.owner())) {
            // Kept, it would wait for an owner replay can never reach until it expired.
            throw new ChorusException(ErrorCode.BAD_REQUEST, "a hint for " + put.owner()
                    + ", which is not a member of the ring (version " + ring.get().version() + ")");
        }
        if (put.owner().equals(node.self())) {
            // The coordinator's view was stale and we are the owner after all: the data goes where it belongs.
            return node.storage().put(put.partition(), put.key(), put.value())
                    .thenApply(s -> EMPTY_HINT_REPLY);
        }
        return hints.add(put.owner(), put.partition(), put.key(), put.value(), node.clock().currentTimeMillis())
                .thenApply(v -> EMPTY_HINT_REPLY);
    }
}
