package io.chorus.server;

import io.chorus.coordinator.AntiEntropy;
import io.chorus.coordinator.Coordinator;
import io.chorus.coordinator.RepairSummary;
import io.chorus.coordinator.SyncReport;
import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.NodeId;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.transport.protocol.BackupRequest;
import io.chorus.transport.protocol.CommitRequest;
import io.chorus.transport.protocol.JoinRequest;
import io.chorus.transport.protocol.RemoveRequest;
import io.chorus.ring.RingCodec;
import io.chorus.server.metrics.NodeMetrics;
import io.chorus.transport.protocol.ClusterInfoResponse;
import io.chorus.transport.protocol.DeleteRequest;
import io.chorus.transport.protocol.DeleteResponse;
import io.chorus.transport.protocol.EmptyBody;
import io.chorus.transport.protocol.GetRequest;
import io.chorus.transport.protocol.GetResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PutRequest;
import io.chorus.transport.protocol.PutResponse;
import io.chorus.transport.protocol.RepairRequest;
import io.chorus.transport.protocol.RepairResponse;
import io.chorus.transport.protocol.StatsResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Serves client opcodes: decodes each request body, hands it to the {@link Coordinator} and encodes its answer.
 * The admin opcodes run on the server's dispatch executor, and GET too unless the node runs reads on the event
 * loop ({@link ReadsOnLoop}); PUT and DELETE, which only queue a storage write and send, run on the event loop; BACKUP only starts its own thread ({@link NodeBackup}). Errors travel back as
 * the exceptions' codes.
 * Stateless apart from what it is given; thread-safe.
 */
final class ClientRequestHandler implements RequestHandler {

    private final Coordinator coordinator;
    private final AntiEntropy antiEntropy;
    private final Supplier<RingState> ring;
    private final MembershipAdmin admin;
    private final AddressBook addresses;
    private final NodeMetrics metrics;
    private final NodeBackup backups;

    ClientRequestHandler(Coordinator coordinator, AntiEntropy antiEntropy, Supplier<RingState> ring,
            AddressBook addresses, NodeMetrics metrics, MembershipAdmin admin, NodeBackup backups) {
        this.backups = backups;
        this.admin = admin;
        this.coordinator = coordinator;
        this.antiEntropy = antiEntropy;
        this.ring = ring;
        this.addresses = addresses;
        this.metrics = metrics;
    }

    /** A write only queues a storage write and sends (the stamp runs on the writer); a GET reads the store. */
    @Override
    public boolean nonBlocking(int opcode) {
        return opcode == Opcodes.PUT || opcode == Opcodes.DELETE;
    }

    @Override
    public CompletableFuture<Message> handle(NodeId from, Message request) {
        byte[] body = request.bodyUnsafe();
        return switch (request.opcode()) {
            case Opcodes.GET -> {
                GetRequest get = GetRequest.decode(body);
                yield coordinator.get(get.key(), new QuorumOptions(get.n(), get.r(), 0, get.timeoutMillis()))
                        .thenApply(set -> {
                            metrics.siblingsRead(set.liveSiblings().size());
                            return reply(Opcodes.GET, new GetResponse(version(), set).encode());
                        });
            }
            case Opcodes.PUT -> {
                PutRequest put = PutRequest.decode(body);
                yield coordinator.put(put.key(), put.context(), put.value(),
                                new QuorumOptions(put.n(), 0, put.w(), put.timeoutMillis()))
                        .thenApply(set -> reply(Opcodes.PUT, new PutResponse(version(), set).encode()));
            }
            case Opcodes.DELETE -> {
                DeleteRequest del = DeleteRequest.decode(body);
                yield coordinator.delete(del.key(), del.context(),
                                new QuorumOptions(del.n(), 0, del.w(), del.timeoutMillis()))
                        .thenApply(set -> reply(Opcodes.DELETE, new DeleteResponse(version(), set.context()).encode()));
            }
            case Opcodes.CLUSTER_INFO -> {
                EmptyBody.decode(body, "CLUSTER_INFO request");
                yield CompletableFuture.completedFuture(reply(Opcodes.CLUSTER_INFO, clusterInfo()));
            }
            case Opcodes.STATS -> {
                EmptyBody.decode(body, "STATS request");
                yield CompletableFuture.completedFuture(reply(Opcodes.STATS, new StatsResponse(metrics.stats()).encode()));
            }
            case Opcodes.REPAIR -> {
                RepairRequest repair = RepairRequest.decode(body);
                yield antiEntropy.repair(repair.partition())
                        .thenApply(summary -> reply(Opcodes.REPAIR, repairResponse(summary).encode()));
            }
            case Opcodes.MEMBERS -> {
                EmptyBody.decode(body, "MEMBERS request");
                yield done(Opcodes.MEMBERS, admin.members().encode());
            }
            case Opcodes.RING -> {
                EmptyBody.decode(body, "RING request");
                yield done(Opcodes.RING, admin.ring().encode());
            }
            case Opcodes.PLAN -> {
                EmptyBody.decode(body, "PLAN request");
                yield done(Opcodes.PLAN, admin.plan().encode());
            }
            case Opcodes.TRANSFERS -> {
                EmptyBody.decode(body, "TRANSFERS request");
                yield done(Opcodes.TRANSFERS, admin.transfers().encode());
            }
            case Opcodes.JOIN -> admin.join(JoinRequest.decode(body).seed())
                    .thenApply(v -> reply(Opcodes.JOIN, new byte[0]));
            case Opcodes.LEAVE -> {
                EmptyBody.decode(body, "LEAVE request");
                yield admin.leave().thenApply(v -> reply(Opcodes.LEAVE, new byte[0]));
            }
            case Opcodes.REMOVE -> admin.remove(RemoveRequest.decode(body).node())
                    .thenApply(v -> reply(Opcodes.REMOVE, new byte[0]));
            case Opcodes.BACKUP -> backups.backup(BackupRequest.decode(body).directory())
                    .thenApply(r -> reply(Opcodes.BACKUP, r.encode()));
            case Opcodes.COMMIT -> admin.commit(CommitRequest.decode(body).token())
                    .thenApply(r -> reply(Opcodes.COMMIT, r.encode()));
            default -> throw new ChorusException(ErrorCode.UNKNOWN_OPCODE,
                    String.format("opcode 0x%04x is not a client operation", request.opcode()));
        };
    }

    private static RepairResponse repairResponse(RepairSummary s) {
        return new RepairResponse(s.partitions(), s.syncs().size(), s.count(SyncReport.Outcome.IN_SYNC),
                s.count(SyncReport.Outcome.REPAIRED), s.count(SyncReport.Outcome.DEFERRED),
                s.count(SyncReport.Outcome.FAILED), s.segmentsDiffering(), s.keysFetched(), s.keysPushed(),
                s.bytesSent(), s.bytesReceived(), s.tookNanos() / 1_000_000);
    }

    private static CompletableFuture<Message> done(int opcode, byte[] body) {
        return CompletableFuture.completedFuture(reply(opcode, body));
    }

    private long version() {
        RingState r = ring.get();
        return r == null ? 0 : r.to().version();
    }

    /** Clients route by the target ring; a replica that has not received a moving partition forwards. */
    private byte[] clusterInfo() {
        RingState state = ring.get();
        if (state == null) {
            throw new ChorusException(ErrorCode.UNAVAILABLE, "this node is not a member of a cluster yet");
        }
        Ring r = state.to();
        List<ClusterInfoResponse.Endpoint> endpoints = new ArrayList<>();
        for (Map.Entry<NodeId, InetSocketAddress> e : addresses.snapshot().entrySet()) {
            if (r.contains(e.getKey())) {
                endpoints.add(new ClusterInfoResponse.Endpoint(e.getKey(), e.getValue().getHostString(),
                        e.getValue().getPort()));
            }
        }
        return new ClusterInfoResponse(r.version(), RingCodec.encode(r), endpoints).encode();
    }

    private static Message reply(int opcode, byte[] body) {
        return Message.adopt(opcode, body);
    }
}
