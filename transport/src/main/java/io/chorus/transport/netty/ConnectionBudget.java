package io.chorus.transport.netty;

import io.chorus.transport.protocol.Role;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server's connections draw on together: connection slots (pending handshakes, clients, nodes, each with
 * its own limit, so that silent sockets or a crowd of clients cannot lock the cluster's own connections out; a full
 * set of pending ones makes room by closing the oldest), the same per remote address ({@link SourceLimits}), the
 * bytes of replies queued on client connections but not yet written to their sockets, and the bytes buffered in
 * incomplete frames ({@link FrameBudget}). Also counts what it refuses. Thread-safe: atomics and concurrent maps
 * only; a slot is taken with a compare-and-set loop so a limit is never overshot.
 */
final class ConnectionBudget {

    /** What a connection admitted by {@link #admitSource} holds of its address's limits. */
    private static final AttributeKey<SourceLimits.Ticket> SOURCE = AttributeKey.valueOf("chorus.source");

    private final ServerConfig config;
    private final SourceLimits sources;
    private final FrameBudget frames;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicInteger nodes = new AtomicInteger();
    private final AtomicLong unflushed = new AtomicLong();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder handshakeTimeouts = new LongAdder();
    private final LongAdder slowReadersClosed = new LongAdder();
    private final LongAdder refusedBySource = new LongAdder();
    private final LongAdder authenticationFailures = new LongAdder();
    /** Connections waiting for their HELLO, oldest first. */
    private final ConcurrentLinkedDeque<Channel> awaitingHello = new ConcurrentLinkedDeque<>();

    ConnectionBudget(ServerConfig config) {
        this.config = config;
        this.sources = new SourceLimits(config.maxConnectionsPerSource(), config.maxHandshakesPerSource());
        this.frames = new FrameBudget(config.maxPartialFrameBytes());
    }

    /** The bytes all connections' decoders may hold in incomplete frames. */
    FrameBudget frames() {
        return frames;
    }

    /**
     * Whether a connection just accepted fits its remote address's limits: it then holds one of the address's
     * connections until it closes, and one of its pending handshakes until {@link #releasePending} or the close
     * (each given back once). False, counted and nothing taken, when the address is at a limit: the caller closes
     * it. A channel without an IP address (in-process) is not limited.
     */
    boolean admitSource(Channel channel) {
        if (!(channel.remoteAddress() instanceof InetSocketAddress remote) || remote.getAddress() == null) {
            return true;
        }
        SourceLimits.Ticket ticket = sources.admit(remote.getAddress());
        if (ticket == null) {
            refusedBySource.increment();
            return false;
        }
        channel.attr(SOURCE).set(ticket);
        channel.closeFuture().addListener(f -> sources.closed(ticket));
        return true;
    }

    /**
     * A slot for a connection just accepted, until it says HELLO. When every pending slot is taken, the oldest
     * connection still waiting is closed to make room: a flood of silent sockets then costs each of them its slot
     * within a few accepts, while a peer that says HELLO at once (a node reconnecting, a client) always gets in.
     */
    void takePending(Channel channel) {
        // Over the limit, the evicted connection gives its slot back when its close completes.
        if (pending.incrementAndGet() > config.maxPendingHandshakes()) {
            Channel oldest;
            while ((oldest = awaitingHello.pollFirst()) != null && !oldest.isOpen()) {
                // already closing: its slot is on its way back
            }
            if (oldest != null) {
                handshakeTimeouts.increment();
                oldest.close();
            }
        }
        awaitingHello.addLast(channel);
    }

    /** The connection said HELLO or closed: its pending slot is free. */
    void releasePending(Channel channel) {
        awaitingHello.remove(channel);
        pending.decrementAndGet();
        SourceLimits.Ticket ticket = channel.attr(SOURCE).get();
        if (ticket != null) {
            sources.handshakeDone(ticket);
        }
    }

    /** Moves a connection that said HELLO into its role's slots; false (and nothing taken) when they are full. */
    boolean takeRole(Role role) {
        return role == Role.CLIENT ? take(clients, config.maxClientConnections())
                : take(nodes, config.maxNodeConnections());
    }

    void releaseRole(Role role) {
        (role == Role.CLIENT ? clients : nodes).decrementAndGet();
    }

    int limitOf(Role role) {
        return role == Role.CLIENT ? config.maxClientConnections() : config.maxNodeConnections();
    }

    /** Counts reply bytes queued for a client and not yet written to its socket. */
    void addUnflushed(long bytes) {
        unflushed.addAndGet(bytes);
    }

    /** Whether the replies queued for clients are over the node's bound, so that clients behind may be closed. */
    boolean clientsOverLimit() {
        return unflushed.get() > config.maxUnflushedPerNode();
    }

    void flushed(long bytes) {
        unflushed.addAndGet(-bytes);
    }

    void countRefusedConnection() {
        refusedConnections.increment();
    }

    void countHandshakeTimeout() {
        handshakeTimeouts.increment();
    }

    void countSlowReaderClosed() {
        slowReadersClosed.increment();
    }

    void countAuthenticationFailure() {
        authenticationFailures.increment();
    }

    TransportStats stats() {
        return new TransportStats(clients.get(), nodes.get(), pending.get(), unflushed.get(),
                config.maxUnflushedPerNode(), refusedConnections.sum(), handshakeTimeouts.sum(),
                slowReadersClosed.sum(), refusedBySource.sum(), frames.buffered(), frames.limit(), frames.refusals(),
                authenticationFailures.sum());
    }

    private static boolean take(AtomicInteger count, int limit) {
        while (true) {
            int now = count.get();
            if (now >= limit) {
                return false;
            }
            if (count.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }
}
