package io.chorus.transport.netty;

import io.chorus.transport.protocol.Role;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server's connections draw on together: connection slots (pending handshakes, clients, nodes, each with
 * its own limit, so that silent sockets or a crowd of clients cannot lock the cluster's own connections out) and
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

    ConnectionBudget(ServerConfig config) {
        this.config = config;
    }

    /** A slot for a connection just accepted, until it says HELLO; false when every pending slot is taken. */
    boolean takePending() {
        return take(pending, config.maxPendingHandshakes());
    }

    void releasePending() {
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

    /**
     * Whether a reply of {@code bytes} may join the node's unflushed replies; if so they are counted. A reply to a
     * connection with nothing unflushed is always admitted, so every reply can be sent to a reader that keeps up.
     */
    boolean admitUnflushed(long bytes, boolean connectionHasUnflushed) {
        long after = unflushed.addAndGet(bytes);
        if (connectionHasUnflushed && after > config.maxUnflushedPerNode()) {
            unflushed.addAndGet(-bytes);
            return false;
        }
        return true;
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

    TransportStats stats() {
        return new TransportStats(clients.get(), nodes.get(), pending.get(), unflushed.get(),
                config.maxUnflushedPerNode(),
                refusedConnections.sum(), handshakeTimeouts.sum(), slowReadersClosed.sum());
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
