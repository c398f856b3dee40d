package io.chorus.transport.netty;

import io.chorus.transport.protocol.Role;
import io.netty.channel.Channel;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server's connections draw on together: connection slots (pending handshakes, clients, nodes, each with
 * its own limit, so that silent sockets or a crowd of clients cannot lock the cluster's own connections out; a full
 * set of pending ones makes room by closing the oldest) and
 * the bytes of replies queued on client connections but not yet written to their sockets. Also counts what it
 * refuses. Thread-safe: atomics only; a slot is taken with a compare-and-set loop so a limit is never overshot.
 */
final class ConnectionBudget {

    private final ServerConfig config;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicInteger nodes = new AtomicInteger();
    private final AtomicLong unflushed = new AtomicLong();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder handshakeTimeouts = new LongAdder();
    private final LongAdder slowReadersClosed = new LongAdder();
    private final LongAdder authenticationFailures = new LongAdder();
    /** Connections waiting for their HELLO, oldest first. */
    private final ConcurrentLinkedDeque<Channel> awaitingHello = new ConcurrentLinkedDeque<>();

    ConnectionBudget(ServerConfig config) {
        this.config = config;
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
                config.maxUnflushedPerNode(), refusedConnections.sum(), handshakeTimeouts.sum(), slowReadersClosed.sum(),
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
