package io.chorus.server;

import io.chorus.coordinator.AntiEntropy;
import io.chorus.coordinator.AntiEntropyStats;
import io.chorus.coordinator.BudgetStats;
import io.chorus.coordinator.Coordinator;
import io.chorus.coordinator.RepairSummary;
import io.chorus.coordinator.SyncReport;
import io.chorus.coordinator.CoordinatorStats;
import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.NodeId;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.transport.protocol.CommitRequest;
import io.chorus.transport.protocol.JoinRequest;
import io.chorus.transport.protocol.RemoveRequest;
import io.chorus.ring.RingCodec;
import io.chorus.storage.StorageEngine;
import io.chorus.storage.StorageStats;
import io.chorus.transport.protocol.ClusterInfoResponse;
import io.chorus.transport.netty.TransportStats;
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
 * GET and the admin opcodes run on the server's dispatch executor; PUT and DELETE, which only queue a storage write
 * and send, run on the event loop. Errors travel back as the exceptions' codes.
 * Stateless apart from what it is given; thread-safe.
 */
final class ClientRequestHandler implements RequestHandler {

    private final Coordinator coordinator;
    private final AntiEntropy antiEntropy;
    private final Supplier<RingState> ring;
    private final MembershipAdmin admin;
    private final AddressBook addresses;
    private final StorageEngine storage;
    private final Supplier<TransportStats> transport;

    ClientRequestHandler(Coordinator coordinator, AntiEntropy antiEntropy, Supplier<RingState> ring,
            AddressBook addresses, StorageEngine storage, Supplier<TransportStats> transport, MembershipAdmin admin) {
        this.admin = admin;
        this.coordinator = coordinator;
        this.antiEntropy = antiEntropy;
        this.ring = ring;
        this.addresses = addresses;
        this.storage = storage;
        this.transport = transport;
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
                        .thenApply(set -> reply(Opcodes.GET, new GetResponse(version(), set).encode()));
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
                yield CompletableFuture.completedFuture(reply(Opcodes.STATS, new StatsResponse(stats()).encode()));
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

    private Map<String, Long> stats() {
        Map<String, Long> out = new LinkedHashMap<>();
        StorageStats s = storage.stats();
        out.put("storage.batches_committed", s.batchesCommitted());
        out.put("storage.writes_committed", s.writesCommitted());
        out.put("storage.writes_rejected", s.writesRejected());
        out.put("storage.map_size_bytes", s.mapSizeBytes());
        out.put("storage.map_growths", s.mapGrowths());
        out.put("storage.pending_writes", (long) s.pendingWrites());
        out.put("storage.merges_over_limit", s.mergesOverLimit());
        CoordinatorStats c = coordinator.stats();
        out.put("coordinator.forwards", c.forwards());
        out.put("coordinator.read_repairs", c.readRepairs());
        out.put("coordinator.hints_stored", c.hintsStored());
        out.put("coordinator.hints_delivered", c.hintsDelivered());
        out.put("coordinator.hints_dropped", c.hintsDropped());
        out.put("coordinator.quorum_failures", c.quorumFailures());
        TransportStats t = transport.get();
        out.put("transport.client_connections", (long) t.clientConnections());
        out.put("transport.node_connections", (long) t.nodeConnections());
        out.put("transport.pending_handshakes", (long) t.pendingHandshakes());
        out.put("transport.unflushed_bytes", t.unflushedBytes());
        out.put("transport.unflushed_limit_bytes", t.unflushedLimit());
        out.put("transport.refused_connections", t.refusedConnections());
        out.put("transport.handshake_timeouts", t.handshakeTimeouts());
        out.put("transport.slow_readers_closed", t.slowReadersClosed());
        BudgetStats b = coordinator.budget().stats();
        out.put("budget.max_concurrent", (long) b.maxConcurrent());
        out.put("budget.in_use", (long) b.inUse());
        out.put("budget.waiting", (long) b.waiting());
        out.put("budget.keys_spent", b.keysSpent());
        out.put("budget.bytes_spent", b.bytesSpent());
        out.put("budget.throttled", b.throttled());
        out.put("budget.throttled_ms", b.throttledNanos() / 1_000_000);
        AntiEntropyStats a = antiEntropy.stats();
        out.put("aae.exchanges", a.exchanges());
        out.put("aae.in_sync", a.inSync());
        out.put("aae.repaired", a.repaired());
        out.put("aae.deferred", a.deferred());
        out.put("aae.failed", a.failed());
        out.put("aae.hashes_compared", a.hashesCompared());
        out.put("aae.segments_differing", a.segmentsDiffering());
        out.put("aae.keys_fetched", a.keysFetched());
        out.put("aae.keys_pushed", a.keysPushed());
        out.put("aae.keys_sent", a.keysSent());
        out.put("aae.keys_received", a.keysReceived());
        out.put("aae.bytes_sent", a.bytesSent());
        out.put("aae.bytes_received", a.bytesReceived());
        out.put("aae.tombstones_purged", a.tombstonesPurged());
        out.put("aae.collection_rounds", a.collectionRounds());
        out.put("aae.tree_rebuilds", a.treeRebuilds());
        out.put("aae.trees_not_ready", a.treesNotReady());
        // Per held partition: when its syncs last converged with every other replica (ms since the epoch).
        a.lastSyncMillis().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put("aae.last_sync_ms.p" + e.getKey(), e.getValue()));
        out.put("ring.version", version());
        RingState state = ring.get();
        out.put("ring.state_version", state == null ? 0 : state.version());
        out.put("ring.partitions_moving", state == null ? 0 : (long) state.moving().cardinality());
        admin.stats(out);
        return out;
    }

    private static Message reply(int opcode, byte[] body) {
        return Message.adopt(opcode, body);
    }
}
