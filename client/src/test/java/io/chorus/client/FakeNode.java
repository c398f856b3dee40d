package io.chorus.client;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.ring.Ring;
import io.chorus.ring.RingCodec;
import io.chorus.transport.protocol.ClusterInfoResponse;
import io.chorus.transport.protocol.DeleteRequest;
import io.chorus.transport.protocol.DeleteResponse;
import io.chorus.transport.protocol.GetRequest;
import io.chorus.transport.protocol.GetResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PutRequest;
import io.chorus.transport.protocol.PutResponse;
import io.chorus.transport.protocol.RepairRequest;
import io.chorus.transport.protocol.RepairResponse;
import io.chorus.transport.protocol.StatsResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A stand-in node for client tests: a real {@code ChorusServer} handler over an in-memory map. It serves a key
 * only if it is among the first {@code servingN} nodes of the key's preference list in the ring it currently
 * believes in, and answers NOT_A_REPLICA otherwise, so tests can see where the client routed each request.
 */
final class FakeNode {

    /** What every REPAIR is answered with. */
    static final RepairResponse REPAIRED = new RepairResponse(64, 128, 120, 6, 1, 1, 30, 400, 200, 1L << 20,
            1L << 21, 1_500);

    final NodeId id;
    final Map<ByteBuffer, SiblingSet> data = new ConcurrentHashMap<>();
    final AtomicInteger served = new AtomicInteger();
    final AtomicInteger notAReplica = new AtomicInteger();
    /** The REPAIR requests the node got, in order; each is answered with {@link #REPAIRED}. */
    final List<RepairRequest> repairs = new CopyOnWriteArrayList<>();
    private final ActorId actor;
    private final Supplier<Ring> ring;
    private final Supplier<List<ClusterInfoResponse.Endpoint>> endpoints;
    private final int servingN;

    FakeNode(NodeId id, Supplier<Ring> ring, Supplier<List<ClusterInfoResponse.Endpoint>> endpoints, int servingN) {
        this.id = id;
        this.actor = new ActorId(id, 1);
        this.ring = ring;
        this.endpoints = endpoints;
        this.servingN = servingN;
    }

    CompletableFuture<Message> handle(NodeId from, Message request) {
        byte[] body = request.bodyUnsafe();
        Ring r = ring.get();
        return CompletableFuture.completedFuture(switch (request.opcode()) {
            case Opcodes.CLUSTER_INFO -> Message.adopt(Opcodes.CLUSTER_INFO,
                    new ClusterInfoResponse(r.version(), RingCodec.encode(r), endpoints.get()).encode());
            case Opcodes.STATS -> Message.adopt(Opcodes.STATS,
                    new StatsResponse(Map.of("served", (long) served.get())).encode());
            case Opcodes.REPAIR -> {
                repairs.add(RepairRequest.decode(body));
                yield Message.adopt(Opcodes.REPAIR, REPAIRED.encode());
            }
            case Opcodes.GET -> {
                GetRequest get = GetRequest.decode(body);
                checkReplica(r, get.key());
                if (new String(get.key()).equals("quorum-fails")) {
                    throw new io.chorus.transport.RemoteException(ErrorCode.QUORUM_NOT_MET, 5,
                            "only 1 of 2 replicas answered", 1, 2);
                }
                yield Message.adopt(Opcodes.GET, new GetResponse(r.version(),
                        data.getOrDefault(ByteBuffer.wrap(get.key()), SiblingSet.empty())).encode());
            }
            case Opcodes.PUT -> {
                PutRequest put = PutRequest.decode(body);
                checkReplica(r, put.key());
                SiblingSet after = data.merge(ByteBuffer.wrap(put.key()),
                        SiblingSet.empty().update(put.context(), actor, put.value(), 1),
                        (old, ignored) -> old.update(put.context(), actor, put.value(), 1));
                yield Message.adopt(Opcodes.PUT, new PutResponse(r.version(), after).encode());
            }
            case Opcodes.DELETE -> {
                DeleteRequest del = DeleteRequest.decode(body);
                checkReplica(r, del.key());
                SiblingSet after = data.merge(ByteBuffer.wrap(del.key()),
                        SiblingSet.empty().update(del.context(), actor, null, 1),
                        (old, ignored) -> old.update(del.context(), actor, null, 1));
                yield Message.adopt(Opcodes.DELETE, new DeleteResponse(r.version(), after.context()).encode());
            }
            default -> throw new ChorusException(ErrorCode.UNKNOWN_OPCODE, "opcode " + request.opcode());
        });
    }

    private void checkReplica(Ring r, byte[] key) {
        if (!r.preferenceList(key, Math.min(servingN, r.size())).contains(id)) {
            notAReplica.incrementAndGet();
            throw new ChorusException(ErrorCode.NOT_A_REPLICA, id + " does not serve this key");
        }
        served.incrementAndGet();
    }
}
