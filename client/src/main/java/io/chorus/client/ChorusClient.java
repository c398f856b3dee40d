package io.chorus.client;

import io.chorus.core.NodeId;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.core.error.NotSentException;
import io.chorus.core.transport.Message;
import io.chorus.ring.Ring;
import io.chorus.ring.RingCodec;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.tls.TlsContext;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.protocol.ClusterInfoResponse;
import io.chorus.transport.protocol.BackupRequest;
import io.chorus.transport.protocol.BackupResponse;
import io.chorus.transport.protocol.CommitRequest;
import io.chorus.transport.protocol.CommitResponse;
import io.chorus.transport.protocol.DeleteRequest;
import io.chorus.transport.protocol.DeleteResponse;
import io.chorus.transport.protocol.EmptyBody;
import io.chorus.transport.protocol.GetRequest;
import io.chorus.transport.protocol.GetResponse;
import io.chorus.transport.protocol.JoinRequest;
import io.chorus.transport.protocol.MembersResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PlanResponse;
import io.chorus.transport.protocol.PutRequest;
import io.chorus.transport.protocol.PutResponse;
import io.chorus.transport.protocol.RemoveRequest;
import io.chorus.transport.protocol.RepairRequest;
import io.chorus.transport.protocol.RepairResponse;
import io.chorus.transport.protocol.RingResponse;
import io.chorus.transport.protocol.StatsResponse;
import io.chorus.transport.protocol.TransfersResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The Java client of Chorus. Reads return every concurrent value (siblings) and a causal context; writes take the
 * context back, so a read-modify-write replaces exactly what was read and concurrent writers never lose data.
 *
 * <pre>{@code
 * try (ChorusClient client = ChorusClient.connect(ClientConfig.builder(List.of(seed)).build())) {
 *     ChorusObject cart = client.get(key);
 *     byte[] merged = merge(cart.values());                 // resolve siblings, if any
 *     client.put(key, merged, cart.context());
 * }
 * }</pre>
 *
 * <p><b>Routing.</b> The client fetches the ring and sends each request straight to the first reachable node of
 * the key's preference list, so the coordinator is a replica and no forwarding hop is needed. It refreshes the ring
 * when a node answers NOT_A_REPLICA (and retries once) or a reply carries a newer ring version. A node that cannot
 * be reached is skipped for a short back-off and the next node of the walk is tried. Reads fail over on any lost
 * connection; writes fail over only when the request never left (the node could not be connected to), because a
 * write whose connection dropped mid-flight may have been applied, and sending it again would add a duplicate
 * sibling.
 *
 * <p><b>Unresponsive nodes.</b> A node that accepts connections but answers nothing (a stopped process) is
 * <em>suspect</em> after {@link ClientConfig#suspectAfterTimeouts} requests in a row got no reply within the
 * client's wait; then its keys go to their other candidates first, a read that got no reply is sent once more to
 * the next candidate ({@link ClientConfig#readRetriesOnTimeout}), and a write that got none fails with TIMEOUT
 * (it may have been applied). After {@link ClientConfig#suspectMillis} one background probe asks the node for the
 * ring; its answer, or any other reply from the node, ends the suspicion. {@link #suspectNodes()} lists them.
 *
 * <p><b>Errors.</b> Failures are {@link ChorusException}s carrying the server's {@link ErrorCode};
 * {@link io.chorus.transport.RemoteException} adds the acks received and required for QUORUM_NOT_MET.
 *
 * <p>Thread-safe; one client per application is enough (requests are multiplexed over one connection per node by
 * default).
 */
public final class ChorusClient implements AutoCloseable {

    /**
     * How long {@link #repairAsync(InetSocketAddress, OptionalInt)} waits for the node's report: a repair of every
     * partition a node holds may take minutes.
     */
    public static final long REPAIR_WAIT_MILLIS = 600_000;
    /**
     * How long {@link #joinAsync} and {@link #commitAsync(InetSocketAddress, long)} wait for the node's answer:
     * both wait for gossip (a join for the seed, a commit for the claimant to act and its ring state to come back).
     */
    public static final long MEMBERSHIP_WAIT_MILLIS = 30_000;
    /** How long {@link #backupAsync(InetSocketAddress, String)} waits: the copy writes the node's whole store. */
    public static final long BACKUP_WAIT_MILLIS = 3_600_000;

    private final ClientConfig config;
    private final EventLoops loops;
    private final ClientOptions options;
    private final Map<InetSocketAddress, NodePool> pools = new ConcurrentHashMap<>();
    private final AtomicReference<RoutingTable> table;
    private final AtomicReference<CompletableFuture<RoutingTable>> refreshing = new AtomicReference<>();

    private ChorusClient(ClientConfig config) {
        this.config = config;
        this.loops = EventLoops.create(config.ioThreads(), "chorus-client");
        ClientOptions o = ClientOptions.callbacksOn(config.callbackExecutor())
                .withConnectTimeoutMillis(config.connectTimeoutMillis());
        if (config.tls() != null) {
            // Read once here (the files are small); a long-lived client renews by being rebuilt.
            o = o.withTls(TlsContext.load(config.tls()));
        }
        this.options = o;
        this.table = new AtomicReference<>(RoutingTable.seedsOnly(config.seeds()));
    }

    /** Connects and fetches the ring from a seed; fails with UNAVAILABLE when no seed answers. */
    public static ChorusClient connect(ClientConfig config) {
        ChorusClient client = new ChorusClient(config);
        try {
            join(client.refreshRing());
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    // ---- reads and writes ---------------------------------------------------------------------------------

    public CompletableFuture<ChorusObject> getAsync(byte[] key) {
        return getAsync(key, RequestOptions.defaults());
    }

    public CompletableFuture<ChorusObject> getAsync(byte[] key, RequestOptions opts) {
        byte[] k = key.clone();
        byte[] body = new GetRequest(k, opts.n(), opts.r(), opts.timeoutMillis()).encode();
        return route(k, Message.adopt(Opcodes.GET, body), true, wait(opts), reply -> {
            GetResponse r = GetResponse.decode(reply.bodyUnsafe());
            noticeRingVersion(r.ringVersion());
            return new ChorusObject(k, r.value());
        });
    }

    /**
     * Writes {@code value} with the context of an earlier read ({@code null} or empty for a blind write, which
     * supersedes nothing). Completes with the key's state after the write: its context is the one to use next.
     */
    public CompletableFuture<ChorusObject> putAsync(byte[] key, byte[] value, VersionVector context) {
        return putAsync(key, value, context, RequestOptions.defaults().withLastWriteWins(config.lastWriteWins()));
    }

    public CompletableFuture<ChorusObject> putAsync(byte[] key, byte[] value, VersionVector context,
                                                    RequestOptions opts) {
        byte[] k = key.clone();
        VersionVector ctx = context == null ? VersionVector.empty() : context;
        if (opts.lastWriteWins() && ctx.isEmpty()) {
            byte[] v = value.clone();
            return Updates.update(this, k, found -> v, opts.withLastWriteWins(false), UPDATE_ATTEMPTS);
        }
        byte[] body = new PutRequest(k, ctx, value, opts.n(), opts.w(), opts.timeoutMillis()).encode();
        return route(k, Message.adopt(Opcodes.PUT, body), false, wait(opts), reply -> {
            PutResponse r = PutResponse.decode(reply.bodyUnsafe());
            noticeRingVersion(r.ringVersion());
            return new ChorusObject(k, r.value());
        });
    }

    /** Deletes what {@code context} covers by writing a tombstone; completes with the new context. */
    public CompletableFuture<VersionVector> deleteAsync(byte[] key, VersionVector context) {
        return deleteAsync(key, context, RequestOptions.defaults());
    }

    public CompletableFuture<VersionVector> deleteAsync(byte[] key, VersionVector context, RequestOptions opts) {
        byte[] k = key.clone();
        VersionVector ctx = context == null ? VersionVector.empty() : context;
        byte[] body = new DeleteRequest(k, ctx, opts.n(), opts.w(), opts.timeoutMillis()).encode();
        return route(k, Message.adopt(Opcodes.DELETE, body), false, wait(opts), reply -> {
            DeleteResponse r = DeleteResponse.decode(reply.bodyUnsafe());
            noticeRingVersion(r.ringVersion());
            return r.context();
        });
    }

    /** How many writes {@link #updateAsync} makes at most before it leaves concurrent writers' siblings. */
    public static final int UPDATE_ATTEMPTS = 5;

    /**
     * Read-modify-write: reads {@code key}, writes what {@code resolver} makes of it (all its siblings, or not
     * found) with the read's context, and when the answer still shows a concurrent writer's sibling, resolves that
     * answer and writes again (up to {@value #UPDATE_ATTEMPTS} writes). A resolver that returns null writes
     * nothing. One client writing a key in sequence this way never makes siblings; concurrent ones see each
     * other's values in the resolver, so nothing is lost. Completes with the state after the last write.
     */
    public CompletableFuture<ChorusObject> updateAsync(byte[] key, java.util.function.Function<ChorusObject, byte[]>
            resolver) {
        return updateAsync(key, resolver, RequestOptions.defaults());
    }

    public CompletableFuture<ChorusObject> updateAsync(byte[] key, java.util.function.Function<ChorusObject, byte[]>
            resolver, RequestOptions opts) {
        return Updates.update(this, key.clone(), java.util.Objects.requireNonNull(resolver, "resolver"), opts,
                UPDATE_ATTEMPTS);
    }

    public ChorusObject update(byte[] key, java.util.function.Function<ChorusObject, byte[]> resolver) {
        return join(updateAsync(key, resolver));
    }

    public ChorusObject get(byte[] key) {
        return join(getAsync(key));
    }

    public ChorusObject get(byte[] key, RequestOptions opts) {
        return join(getAsync(key, opts));
    }

    public ChorusObject put(byte[] key, byte[] value, VersionVector context) {
        return join(putAsync(key, value, context));
    }


    public ChorusObject put(byte[] key, byte[] value, VersionVector context, RequestOptions opts) {
        return join(putAsync(key, value, context, opts));
    }

    public VersionVector delete(byte[] key, VersionVector context) {
        return join(deleteAsync(key, context));
    }

    public VersionVector delete(byte[] key, VersionVector context, RequestOptions opts) {
        return join(deleteAsync(key, context, opts));
    }

    // ---- cluster ------------------------------------------------------------------------------------------

    /** The ring the client routes by, or null before the first one arrived. */
    public Ring ring() {
        return table.get().ring();
    }

    /** Each node's client address, as the cluster last reported it. */
    public Map<NodeId, InetSocketAddress> endpoints() {
        return table.get().endpoints();
    }

    /** Counters of the node at {@code address}. */
    public CompletableFuture<Map<String, Long>> statsAsync(InetSocketAddress address) {
        return pool(address).request(Message.adopt(Opcodes.STATS, new byte[0]), config.requestTimeoutMillis())
                .thenApply(reply -> StatsResponse.decode(reply.bodyUnsafe()).stats());
    }

    /**
     * Runs anti-entropy on the node at {@code address} now, over every partition it holds ({@code partition} empty)
     * or the one given, and completes with what the run did once it is over. Waits up to
     * {@link #REPAIR_WAIT_MILLIS}; see {@link #repairAsync(InetSocketAddress, OptionalInt, long)}.
     */
    public CompletableFuture<RepairResponse> repairAsync(InetSocketAddress address, OptionalInt partition) {
        return repairAsync(address, partition, REPAIR_WAIT_MILLIS);
    }

    /**
     * As {@link #repairAsync(InetSocketAddress, OptionalInt)}, waiting up to {@code waitMillis} for the report (then
     * TIMEOUT; the run may go on at the node). A repair is expected to take long, so a wait that runs out does not
     * make the node suspect as an unanswered key request would. A connection with a request in flight is never
     * idle, so a long run keeps its connection.
     */
    public CompletableFuture<RepairResponse> repairAsync(InetSocketAddress address, OptionalInt partition,
                                                         long waitMillis) {
        Message request = Message.adopt(Opcodes.REPAIR, new RepairRequest(partition).encode());
        return longRequest(address, request, waitMillis).thenApply(reply -> RepairResponse.decode(reply.bodyUnsafe()));
    }

    /**
     * Asks the node at {@code address} to write a consistent copy of its store under {@code directory}, a path on
     * the node's host, in a subdirectory named after the node, and completes with where, how many bytes and how
     * long. Waits up to {@link #BACKUP_WAIT_MILLIS}; see {@link #backupAsync(InetSocketAddress, String, long)}. A
     * directory that is not an absolute path fails at once with IllegalArgumentException.
     */
    public CompletableFuture<BackupResponse> backupAsync(InetSocketAddress address, String directory) {
        return backupAsync(address, directory, BACKUP_WAIT_MILLIS);
    }

    /**
     * As {@link #backupAsync(InetSocketAddress, String)}, waiting up to {@code waitMillis} (then TIMEOUT; the copy
     * may still complete at the node, and a second BACKUP meanwhile is refused).
     */
    public CompletableFuture<BackupResponse> backupAsync(InetSocketAddress address, String directory,
                                                         long waitMillis) {
        Message request = Message.adopt(Opcodes.BACKUP, new BackupRequest(directory).encode());
        return longRequest(address, request, waitMillis).thenApply(reply -> BackupResponse.decode(reply.bodyUnsafe()));
    }

    // ---- membership admin: each request goes to the node given, which answers from its own view -------------

    /** The members the node at {@code address} knows of, with the claimant it sees. */
    public CompletableFuture<MembersResponse> membersAsync(InetSocketAddress address) {
        return adminRequest(address, Opcodes.MEMBERS)
                .thenApply(reply -> MembersResponse.decode(reply.bodyUnsafe()));
    }

    /** The ring state the node at {@code address} holds, in the ring state encoding ({@code RingStateCodec}). */
    public CompletableFuture<byte[]> ringAsync(InetSocketAddress address) {
        return adminRequest(address, Opcodes.RING)
                .thenApply(reply -> RingResponse.decode(reply.bodyUnsafe()).ringState());
    }

    /**
     * Asks the node at {@code address}, not yet a member, to join the cluster of {@code seed} (host:port of any
     * member's peer address); completes once the join is staged, not committed. Waits up to
     * {@link #MEMBERSHIP_WAIT_MILLIS}. A seed that is not host:port fails at once with IllegalArgumentException.
     */
    public CompletableFuture<Void> joinAsync(InetSocketAddress address, String seed) {
        Message request = Message.adopt(Opcodes.JOIN, new JoinRequest(seed).encode());
        return longRequest(address, request, MEMBERSHIP_WAIT_MILLIS)
                .thenApply(reply -> emptyReply(reply, "JOIN response"));
    }

    /** Asks the node at {@code address} to leave the cluster; completes once its leave is staged. */
    public CompletableFuture<Void> leaveAsync(InetSocketAddress address) {
        return adminRequest(address, Opcodes.LEAVE).thenApply(reply -> emptyReply(reply, "LEAVE response"));
    }

    /**
     * Asks the node at {@code address} to stage the removal of {@code node}, a member dead for good. A name that is
     * not a node id fails at once with IllegalArgumentException.
     */
    public CompletableFuture<Void> removeAsync(InetSocketAddress address, String node) {
        Message request = Message.adopt(Opcodes.REMOVE, new RemoveRequest(NodeId.of(node)).encode());
        return pool(address).request(request, config.requestTimeoutMillis())
                .thenApply(reply -> emptyReply(reply, "REMOVE response"));
    }

    /** What committing the staged changes would do now, as the node at {@code address} computes it. */
    public CompletableFuture<PlanResponse> planAsync(InetSocketAddress address) {
        return adminRequest(address, Opcodes.PLAN).thenApply(reply -> PlanResponse.decode(reply.bodyUnsafe()));
    }

    /**
     * Asks the cluster, through the node at {@code address}, to commit the plan named by {@code token} (as
     * {@link PlanResponse#token()} gave it; {@link CommitRequest#CURRENT_PLAN} for the claimant's plan of the
     * moment), and completes with the version of the ring state committed. Waits up to
     * {@link #MEMBERSHIP_WAIT_MILLIS}; see {@link #commitAsync(InetSocketAddress, long, long)}.
     */
    public CompletableFuture<Long> commitAsync(InetSocketAddress address, long token) {
        return commitAsync(address, token, MEMBERSHIP_WAIT_MILLIS);
    }

    /**
     * As {@link #commitAsync(InetSocketAddress, long)}, waiting up to {@code waitMillis} (then TIMEOUT, and the commit
     * may still happen: ask {@link #planAsync}). A commit waits for gossip, so a wait that runs out does not make the
     * node suspect.
     */
    public CompletableFuture<Long> commitAsync(InetSocketAddress address, long token, long waitMillis) {
        Message request = Message.adopt(Opcodes.COMMIT, new CommitRequest(token).encode());
        return longRequest(address, request, waitMillis)
                .thenApply(reply -> CommitResponse.decode(reply.bodyUnsafe()).ringVersion());
    }

    /** The partition handoffs the node at {@code address} takes part in. */
    public CompletableFuture<TransfersResponse> transfersAsync(InetSocketAddress address) {
        return adminRequest(address, Opcodes.TRANSFERS)
                .thenApply(reply -> TransfersResponse.decode(reply.bodyUnsafe()));
    }

    /** A request with an empty body, answered from the node's own state: as quick as STATS. */
    private CompletableFuture<Message> adminRequest(InetSocketAddress address, int opcode) {
        return pool(address).request(Message.adopt(opcode, EmptyBody.encode()), config.requestTimeoutMillis());
    }

    /**
     * Sends a request the node may take long to answer. Its wait running out says nothing about the node's key
     * requests, so it does not count toward suspicion; any reply or other failure does, as for every request.
     */
    private CompletableFuture<Message> longRequest(InetSocketAddress address, Message request, long waitMillis) {
        NodePool pool = pool(address);
        return pool.connection().thenCompose(conn -> {
            long token = pool.token();
            return conn.request(request, waitMillis).whenComplete((reply, failure) -> {
                if (failure == null || !NodePool.isStall(failure)) {
                    pool.record(token, failure);
                }
            });
        });
    }

    private static Void emptyReply(Message reply, String what) {
        EmptyBody.decode(reply.bodyUnsafe(), what);
        return null;
    }

    /**
     * The nodes (client addresses, as in {@link #endpoints()}) that have not answered since requests to them went
     * unanswered: requests for their keys go to other replicas until a probe or a request gets a reply.
     */
    public Set<InetSocketAddress> suspectNodes() {
        Set<InetSocketAddress> out = new HashSet<>();
        pools.forEach((address, pool) -> {
            if (pool.isSuspect()) {
                out.add(address);
            }
        });
        return Set.copyOf(out);
    }

    /**
     * Fetches the ring from any known node (the ones already in the ring first, then the seeds) and routes by it
     * from then on. Concurrent calls share one fetch. Completes with the ring's version.
     */
    public CompletableFuture<Long> refreshRing() {
        CompletableFuture<RoutingTable> mine = new CompletableFuture<>();
        CompletableFuture<RoutingTable> running = refreshing.compareAndExchange(null, mine);
        if (running != null) {
            return running.thenApply(RoutingTable::version);
        }
        fetchRing(byStanding(table.get().everyone()), 0, null).whenComplete((fresh, failure) -> {
            refreshing.set(null);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(table.updateAndGet(old -> fresh.version() > old.version() ? fresh : old));
            }
        });
        return mine.thenApply(RoutingTable::version);
    }

    private CompletableFuture<RoutingTable> fetchRing(List<InetSocketAddress> nodes, int index, Throwable last) {
        if (index >= nodes.size()) {
            // Refused for who we are: another try will not help, and the caller must see why.
            if (last instanceof ChorusException ce && ce.code() == ErrorCode.UNAUTHENTICATED) {
                return CompletableFuture.failedFuture(ce);
            }
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNAVAILABLE,
                    "no node answered for the ring; tried " + nodes + (config.tls() == null
                            ? " (if the nodes speak TLS, trust their CA: ClientConfig.tls, or --ca)" : ""), last));
        }
        InetSocketAddress address = nodes.get(index);
        return pool(address).request(Message.adopt(Opcodes.CLUSTER_INFO, new byte[0]), config.requestTimeoutMillis())
                .thenApply(reply -> toTable(ClusterInfoResponse.decode(reply.bodyUnsafe())))
                .handle((fresh, failure) -> failure == null ? CompletableFuture.completedFuture(fresh)
                        : fetchRing(nodes, index + 1, worse(last, Failures.unwrap(failure))))
                .thenCompose(Function.identity());
    }

    /** The failure to report when no node answers: a refusal of who we are outweighs a node that is down. */
    private static Throwable worse(Throwable before, Throwable now) {
        return before instanceof ChorusException ce && ce.code() == ErrorCode.UNAUTHENTICATED ? before : now;
    }

    private RoutingTable toTable(ClusterInfoResponse info) {
        Ring ring = RingCodec.decode(info.ring());
        Map<NodeId, InetSocketAddress> endpoints = new HashMap<>();
        for (ClusterInfoResponse.Endpoint e : info.endpoints()) {
            endpoints.put(e.nodeId(), new InetSocketAddress(e.host(), e.port()));
        }
        return new RoutingTable(ring, endpoints, config.seeds());
    }

    private void noticeRingVersion(long version) {
        if (version > table.get().version()) {
            refreshRing(); // in the background: this reply is good, later requests route by the new ring
        }
    }

    // ---- routing ------------------------------------------------------------------------------------------

    private <T> CompletableFuture<T> route(byte[] key, Message request, boolean idempotent, long waitMillis,
                                           Function<Message, T> decode) {
        return new Attempt<>(key, request, idempotent, waitMillis, decode).start();
    }

    /**
     * One request's walk over its candidate nodes; advances on callbacks, never blocks. Its fields are touched by
     * one step at a time, each step starting from the completion of the one before (which orders them).
     */
    private final class Attempt<T> {
        private final byte[] key;
        private final Message request;
        private final boolean idempotent;
        private final long waitMillis;
        private final Function<Message, T> decode;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private boolean refreshed;
        /** Resends left after a stall (no reply within the wait); reads only. */
        private int stallRetriesLeft;
        /** Nodes this read stalled on: a resend goes elsewhere, whatever their standing by then. */
        private List<InetSocketAddress> stalledOn = List.of();

        Attempt(byte[] key, Message request, boolean idempotent, long waitMillis, Function<Message, T> decode) {
            this.key = key;
            this.request = request;
            this.idempotent = idempotent;
            this.waitMillis = waitMillis;
            this.decode = decode;
            this.stallRetriesLeft = idempotent ? config.readRetriesOnTimeout() : 0;
        }

        CompletableFuture<T> start() {
            tryFrom(orderedCandidates(), 0, null);
            return result;
        }

        private List<InetSocketAddress> orderedCandidates() {
            List<InetSocketAddress> all = byStanding(table.get().candidates(key));
            if (stalledOn.isEmpty()) {
                return all;
            }
            List<InetSocketAddress> rest = new ArrayList<>(all);
            rest.removeAll(stalledOn);
            return rest;
        }

        private void tryFrom(List<InetSocketAddress> candidates, int index, Throwable last) {
            if (index >= candidates.size()) {
                result.completeExceptionally(last instanceof ChorusException ce ? ce
                        : new ChorusException(ErrorCode.UNAVAILABLE, "no node could take the request", last));
                return;
            }
            NodePool pool = pool(candidates.get(index));
            pool.connection().whenComplete((conn, connectFailure) -> {
                if (connectFailure != null) {
                    // Never sent: safe to try the next node for reads and writes alike.
                    tryFrom(candidates, index + 1, Failures.unwrap(connectFailure));
                    return;
                }
                long token = pool.token();
                conn.request(request, waitMillis).whenComplete((reply, failure) -> {
                    pool.record(token, failure);
                    if (failure == null) {
                        try {
                            result.complete(decode.apply(reply));
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                        }
                        return;
                    }
                    Throwable cause = Failures.unwrap(failure);
                    ErrorCode code = cause instanceof ChorusException ce ? ce.code() : ErrorCode.INTERNAL;
                    if (code == ErrorCode.NOT_A_REPLICA && !refreshed) {
                        refreshed = true;
                        refreshRing().whenComplete((v, ignored) -> tryFrom(orderedCandidates(), 0, cause));
                    } else if (code == ErrorCode.OVERLOADED || cause instanceof NotSentException
                            || (code == ErrorCode.UNAVAILABLE && idempotent)) {
                        // Refused, or never sent (the connection had closed meanwhile): even a write may go on.
                        tryFrom(candidates, index + 1, cause);
                    } else if (stallRetriesLeft > 0 && NodePool.isStall(cause)) {
                        // A read that got no reply at all: the node is likely frozen, another replica can answer.
                        // A write is never resent here: the node may have applied it.
                        stallRetriesLeft--;
                        stalledOn = append(stalledOn, pool.address());
                        tryFrom(orderedCandidates(), 0, cause);
                    } else {
                        result.completeExceptionally(cause);
                    }
                });
            });
        }
    }

    /**
     * {@code nodes} in their order, except that nodes in connection back-off come after the good ones and suspect
     * ones after those: last resorts rather than skipped, and a suspect node, which may cost a whole wait, last.
     */
    private List<InetSocketAddress> byStanding(List<InetSocketAddress> nodes) {
        int good = 0;
        NodePool.Standing first = NodePool.Standing.GOOD;
        while (good < nodes.size() && (first = pool(nodes.get(good)).standing()) == NodePool.Standing.GOOD) {
            good++;
        }
        if (good == nodes.size()) {
            return nodes; // the common case: nothing allocated
        }
        NodePool.Standing[] standings = new NodePool.Standing[nodes.size()];
        Arrays.fill(standings, 0, good, NodePool.Standing.GOOD);
        standings[good] = first;
        for (int i = good + 1; i < standings.length; i++) {
            standings[i] = pool(nodes.get(i)).standing();
        }
        List<InetSocketAddress> out = new ArrayList<>(nodes.size());
        for (NodePool.Standing wanted : NodePool.Standing.values()) {
            for (int i = 0; i < standings.length; i++) {
                if (standings[i] == wanted) {
                    out.add(nodes.get(i));
                }
            }
        }
        return out;
    }

    private static List<InetSocketAddress> append(List<InetSocketAddress> list, InetSocketAddress address) {
        List<InetSocketAddress> out = new ArrayList<>(list);
        out.add(address);
        return out;
    }

    private NodePool pool(InetSocketAddress address) {
        return pools.computeIfAbsent(address, a -> new NodePool(a, loops, options, config));
    }

    private long wait(RequestOptions opts) {
        return opts.timeoutMillis() > 0 ? opts.timeoutMillis() + config.graceMillis() : config.requestTimeoutMillis();
    }

    @Override
    public void close() {
        pools.values().forEach(NodePool::close);
        pools.clear();
        loops.close();
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = Failures.unwrap(e);
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new ChorusException(ErrorCode.INTERNAL, cause.toString(), cause);
        }
    }
}
