package io.chorus.benchmarks;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.storage.Durability;
import io.chorus.storage.LmdbStorageEngine;
import io.chorus.storage.StorageConfig;
import io.chorus.transport.netty.ChorusServer;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.netty.NettyTransport;
import io.chorus.transport.netty.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The least a 3-replica quorum request can do in this design (every request asks all N replicas, and the store is
 * read off the event loops and written through each store's group-commit writer), built from the embedded cluster's
 * own parts (one shared pair of event loops, a dispatch pool sized as the cluster's, real Netty on loopback, real
 * LMDB) with nothing else: no ring, no coordinator state machine, no timers, no hints, no decoding of replies, no
 * routing or decoding in the client. A server that gets a client request asks the other two over the node
 * connections and answers with the first reply (R = W = 2, counting itself). It measures how much of the echo
 * baseline the work that this design must do leaves, next to the real cluster in the same run:
 *
 * <ul>
 *   <li>{@link Mode#WIRE}: the six frames only; every request is served on the event loop, a peer answers with a
 *       fixed stored-size body.</li>
 *   <li>{@link Mode#HANDOFFS}: the same, but every server hands its requests to the dispatch pool and replies from
 *       there, as a replica's read must (the store is never read on an event loop).</li>
 *   <li>{@link Mode#READS}: a quorum get: each of the three servers reads the key's stored bytes on the dispatch
 *       pool; the first peer's bytes are the answer, undecoded.</li>
 *   <li>{@link Mode#WRITES}: a quorum put: the receiving server stamps a new dot inside its store's writer (on the
 *       stored context, so keys keep one sibling), encodes the result once and sends it to the two others, which
 *       decode and merge it in their stores; the answer is an empty ack after the first of them.</li>
 * </ul>
 *
 * <p>A client request's body is the key for the first three modes, and the key's length (one byte), the key and the
 * value for {@link Mode#WRITES}.
 */
public final class QuorumSkeleton implements AutoCloseable {

    public enum Mode { WIRE, HANDOFFS, READS, WRITES }

    /** A peer's reply in {@link Mode#WIRE} and {@link Mode#HANDOFFS}: about a stored 100-byte value's size. */
    private static final byte[] STORED = new byte[160];
    private static final int PEER_OPCODE = 0x1002;
    private static final long PEER_TIMEOUT_MILLIS = 2_000;

    private final Mode mode;
    private final EventLoops loops = EventLoops.create(2, "skeleton-io");
    /** Sized as the embedded cluster sizes its shared pool: half the cores, at least one thread. */
    private final ExecutorService dispatch = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2), r -> {
                Thread t = new Thread(r, "skeleton-dispatch");
                t.setDaemon(true);
                return t;
            });
    /** The thread that served the latest client request: lets a test check each mode runs where it says. */
    volatile String lastServedOn;
    private final Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private final List<ChorusServer> servers = new ArrayList<>();
    private final List<NettyTransport> transports = new ArrayList<>();
    private final List<LmdbStorageEngine> stores = new ArrayList<>();
    private final Path root;

    QuorumSkeleton(Mode mode, Durability durability) throws IOException {
        this.mode = mode;
        this.root = Files.createTempDirectory("chorus-skeleton");
        List<NodeId> ids = List.of(NodeId.of("skel-1"), NodeId.of("skel-2"), NodeId.of("skel-3"));
        for (NodeId id : ids) {
            LmdbStorageEngine store = LmdbStorageEngine.open(StorageConfig.builder(root.resolve(id.toString()))
                    .durability(durability).build());
            ChorusServer server = new ChorusServer(ServerConfig.defaults(id, () -> 1).withHost("127.0.0.1")
                    .withPort(0), dispatch, loops);
            NettyTransport transport = new NettyTransport(id, addresses::get, loops, server,
                    ClientOptions.callbacksOn(Runnable::run));
            List<NodeId> others = ids.stream().filter(other -> !other.equals(id)).toList();
            ActorId actor = new ActorId(id, store.epoch());
            server.serveClients(handler(mode == Mode.WIRE || mode == Mode.WRITES,
                    request -> coordinate(store, actor, transport, others, request.bodyUnsafe())));
            transport.serve(handler(mode == Mode.WIRE || mode == Mode.WRITES,
                    request -> replica(store, request.bodyUnsafe())));
            addresses.put(id, new InetSocketAddress("127.0.0.1", server.start()));
            servers.add(server);
            transports.add(transport);
            stores.add(store);
        }
    }

    /** Fills every server's store with {@code value} under each key, as the real cluster's setup does. */
    void load(List<byte[]> keys, byte[] value) {
        for (int server = 0; server < stores.size(); server++) {
            load(server, keys, value);
        }
    }

    /** Fills one server's store (0..2) with {@code value} under each key. */
    void load(int server, List<byte[]> keys, byte[] value) {
        LmdbStorageEngine store = stores.get(server);
        ActorId actor = new ActorId(NodeId.of("loader"), 1);
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (byte[] key : keys) {
            writes.add(store.update(partition(key), key, s -> s.update(s.context(), actor, value, 1)));
        }
        writes.forEach(CompletableFuture::join);
    }

    private CompletableFuture<Message> coordinate(LmdbStorageEngine store, ActorId actor, NettyTransport transport,
                                                  List<NodeId> others, byte[] body) {
        lastServedOn = Thread.currentThread().getName();
        return switch (mode) {
            case WIRE, HANDOFFS -> fanOut(transport, others, body);
            case READS -> {
                // Asks first and reads its own copy while the others read theirs, as the coordinator does.
                CompletableFuture<Message> first = fanOut(transport, others, body);
                store.getEncoded(partition(body), body);
                yield first;
            }
            case WRITES -> {
                int keyLength = body[0];
                byte[] key = Arrays.copyOfRange(body, 1, 1 + keyLength);
                byte[] value = Arrays.copyOfRange(body, 1 + keyLength, body.length);
                long now = System.currentTimeMillis();
                yield store.update(partition(key), key, s -> s.update(s.context(), actor, value, now))
                        .thenCompose(stamped -> {
                            byte[] set = CausalCodec.encode(stamped);
                            byte[] replicate = new byte[1 + keyLength + set.length];
                            System.arraycopy(body, 0, replicate, 0, 1 + keyLength);
                            System.arraycopy(set, 0, replicate, 1 + keyLength, set.length);
                            return fanOut(transport, others, replicate);
                        })
                        .thenApply(ack -> Message.adopt(PEER_OPCODE, new byte[0]));
            }
        };
    }

    private CompletableFuture<Message> replica(LmdbStorageEngine store, byte[] body) {
        return switch (mode) {
            case WIRE, HANDOFFS -> CompletableFuture.completedFuture(Message.adopt(PEER_OPCODE, STORED));
            case READS -> CompletableFuture.completedFuture(Message.adopt(PEER_OPCODE,
                    store.getEncoded(partition(body), body)));
            case WRITES -> {
                int keyLength = body[0];
                byte[] key = Arrays.copyOfRange(body, 1, 1 + keyLength);
                SiblingSet incoming = CausalCodec.decode(Arrays.copyOfRange(body, 1 + keyLength, body.length));
                yield store.put(partition(key), key, incoming)
                        .thenApply(stored -> Message.adopt(PEER_OPCODE, new byte[0]));
            }
        };
    }

    /** Asks both others; the first reply answers (the server itself being the first of R or W = 2). */
    private static CompletableFuture<Message> fanOut(NettyTransport transport, List<NodeId> others, byte[] body) {
        CompletableFuture<Message> first = new CompletableFuture<>();
        Message ask = Message.adopt(PEER_OPCODE, body);
        for (NodeId other : others) {
            transport.request(other, ask, PEER_TIMEOUT_MILLIS).whenComplete((reply, failure) -> {
                if (failure != null) {
                    first.completeExceptionally(failure);
                } else {
                    first.complete(reply);
                }
            });
        }
        return first;
    }

    /** Keys spread over 64 partitions, as they would over a small ring's. */
    private static int partition(byte[] key) {
        return Arrays.hashCode(key) & 0x3F;
    }

    private static RequestHandler handler(boolean onLoop, Function<Message, CompletableFuture<Message>> serve) {
        return new RequestHandler() {
            @Override
            public CompletableFuture<Message> handle(NodeId from, Message request) {
                return serve.apply(request);
            }

            @Override
            public boolean nonBlocking(int opcode) {
                return onLoop;
            }
        };
    }

    /** What server {@code server} (0..2) stores under {@code key}. */
    SiblingSet stored(int server, byte[] key) {
        return stores.get(server).get(partition(key), key);
    }

    List<InetSocketAddress> addresses() {
        return servers.stream().map(s -> new InetSocketAddress("127.0.0.1", s.port())).toList();
    }

    @Override
    public void close() throws IOException {
        transports.forEach(NettyTransport::close);
        servers.forEach(ChorusServer::close);
        loops.close();
        dispatch.shutdownNow();
        stores.forEach(LmdbStorageEngine::close);
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
