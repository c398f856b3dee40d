package io.chorus.transport.netty;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.NotSentException;
import io.chorus.core.error.Failures;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Node-to-node messaging on the wire protocol. Outbound, it keeps one {@link ClientConnection} per peer (HELLO as
 * role node, named by this node's id), made on first use and reused; a connection that closes is dropped and the
 * next request connects again, so a restarted peer is reached again without help. A peer that cannot be reached
 * fails the request with UNAVAILABLE as soon as the connect fails (refused at once; a silent host within the
 * connect timeout). Inbound, it is the node handler of the node's {@link ChorusServer}: {@link #serve} installs the
 * handler the server calls for role-node connections. With TLS in the client options, each connection presents
 * this node's certificate and accepts only a peer whose certificate names the node id it was meant for. The server's lifecycle stays with whoever built it.
 *
 * <p>Thread-safe: the connection table is a concurrent map updated with compare-and-set; futures complete on the
 * client options' callback executor.
 */
public final class NettyTransport implements Transport {

    /** Ids of nodes known only by a seed address start with this (membership names them {@code seed:HOST:PORT}). */
    public static final String SEED_PREFIX = "seed:";


    private final NodeId self;
    private final Function<NodeId, InetSocketAddress> resolver;
    private final EventLoops loops;
    private final ChorusServer server;
    private final ClientOptions options;
    private final ConcurrentMap<NodeId, ConnectionSlot> peers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param resolver where each peer listens; may return null or throw for an unknown node (then UNAVAILABLE)
     * @param loops    the node's event loops, shared with its server; not closed here
     * @param server   this node's server, whose node handler {@link #serve} installs
     */
    public NettyTransport(NodeId self, Function<NodeId, InetSocketAddress> resolver, EventLoops loops,
                          ChorusServer server, ClientOptions options) {
        if (self == null || resolver == null || loops == null || server == null || options == null) {
            throw new IllegalArgumentException("all arguments must be given");
        }
        if (!server.config().nodeId().equals(self)) {
            throw new IllegalArgumentException("server speaks for " + server.config().nodeId() + ", not " + self);
        }
        this.self = self;
        this.resolver = resolver;
        this.loops = loops;
        this.server = server;
        this.options = options;
    }

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
        if (closed) {
            return CompletableFuture.failedFuture(new NotSentException(self + "'s transport is closed"));
        }
        CompletableFuture<ClientConnection> pending = connection(to);
        if (pending.isDone() && !pending.isCompletedExceptionally()) {
            // The usual case, an open connection: its future is the answer (it fails with the cause itself, never
            // wrapped), with no connect time to take off the timeout.
            return pending.join().request(request, timeoutMillis);
        }
        CompletableFuture<Message> result = new CompletableFuture<>();
        long startNanos = System.nanoTime();
        pending.whenComplete((connection, connectFailure) -> {
            if (connectFailure != null) {
                result.completeExceptionally(Failures.unwrap(connectFailure));
                return;
            }
            // The connect time counts against the request's timeout.
            long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            if (left < 1) {
                result.completeExceptionally(new ChorusException(ErrorCode.TIMEOUT, "connecting to " + to
                        + " took the whole " + timeoutMillis + " ms"));
                return;
            }
            connection.request(request, left).whenComplete((reply, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(Failures.unwrap(failure));
                } else {
                    result.complete(reply);
                }
            });
        });
        return result;
    }

    /** The live (or pending) connection to {@code to}, connecting when there is none or the last one is dead. */
    private CompletableFuture<ClientConnection> connection(NodeId to) {
        ConnectionSlot slot = peers.get(to);
        if (slot == null) {
            slot = peers.computeIfAbsent(to, peer -> new ConnectionSlot(attempt -> connect(peer, attempt)));
        }
        return slot.connection();
    }

    private void connect(NodeId to, CompletableFuture<ClientConnection> slot) {
        InetSocketAddress address;
        try {
            address = resolver.apply(to);
        } catch (RuntimeException e) {
            address = null;
        }
        if (address == null) {
            slot.completeExceptionally(new NotSentException("no address known for " + to));
            return;
        }
        // A seed is known by its address only, under a placeholder id: its certificate must chain to the CA and
        // name the node its HELLO reply says it is, but cannot be checked against a name nobody knew yet.
        NodeId expected = to.name().startsWith(SEED_PREFIX) ? null : to;
        ClientConnection.connect(loops, address, HelloRequest.of(Role.NODE, self.name()), options, expected)
                .whenComplete((connection, failure) -> {
                    if (failure != null) {
                        slot.completeExceptionally(failure);
                        return;
                    }
                    slot.complete(connection);
                    if (closed) {
                        connection.close();
                    }
                });
    }

    /** Installs the handler for requests from other nodes; null stops serving them (UNAVAILABLE). */
    @Override
    public void serve(RequestHandler handler) {
        server.serveNodes(handler);
    }

    /** Stops serving nodes and closes every peer connection; their requests in flight fail with UNAVAILABLE. */
    @Override
    public void close() {
        closed = true;
        server.serveNodes(null);
        peers.values().forEach(ConnectionSlot::close);
        peers.clear();
    }
}
