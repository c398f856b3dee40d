package io.chorus.transport.netty;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Connections open and handshakes pending per remote IP address, each with a limit, so that one address cannot
 * take all of a server's connection or pending-handshake slots (the global ones evict the oldest pending
 * handshake, which lets one flooding address push out everybody else's). Many peers behind one address (a NAT, a
 * host running a whole test cluster) share its limits, so they are generous. An address is an IP, v4 or v6, not a
 * prefix: a peer that controls many addresses (a v6 /64, a botnet) is limited only by the global slots.
 *
 * <p>Thread-safe: the counts live in a concurrent map updated with {@code compute} (a short lock on one map bin,
 * never held across I/O), and an address's entry is removed when both its counts are back to zero. A
 * {@link Ticket} releases what its connection took exactly once, whichever of its release calls come and in what
 * order.
 */
final class SourceLimits {

    private record Counts(int connections, int handshakes) {
    }

    /** What one admitted connection holds: a connection and, until its handshake is done, a pending handshake. */
    static final class Ticket {
        private final InetAddress source;
        private final AtomicBoolean handshakePending = new AtomicBoolean(true);
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Ticket(InetAddress source) {
            this.source = source;
        }

        InetAddress source() {
            return source;
        }
    }

    private final int maxConnections;
    private final int maxHandshakes;
    private final ConcurrentHashMap<InetAddress, Counts> bySource = new ConcurrentHashMap<>();

    SourceLimits(int maxConnections, int maxHandshakes) {
        if (maxConnections < 1 || maxHandshakes < 1) {
            throw new IllegalArgumentException("per-source limits must be positive: " + maxConnections + ", "
                    + maxHandshakes);
        }
        this.maxConnections = maxConnections;
        this.maxHandshakes = maxHandshakes;
    }

    /**
     * A connection just accepted from {@code source}, which holds a pending handshake until {@link #handshakeDone};
     * null (and nothing taken) when the address is at either of its limits.
     */
    Ticket admit(InetAddress source) {
        boolean[] admitted = {false};
        bySource.compute(source, (address, now) -> {
            Counts c = now == null ? new Counts(0, 0) : now;
            if (c.connections() >= maxConnections || c.handshakes() >= maxHandshakes) {
                return now;
            }
            admitted[0] = true;
            return new Counts(c.connections() + 1, c.handshakes() + 1);
        });
        return admitted[0] ? new Ticket(source) : null;
    }

    /** The connection's handshake was accepted (or it closed): its pending handshake is free. Idempotent. */
    void handshakeDone(Ticket ticket) {
        if (ticket.handshakePending.compareAndSet(true, false)) {
            release(ticket.source, 0, 1);
        }
    }

    /** The connection closed: it and, if still held, its pending handshake are free. Idempotent. */
    void closed(Ticket ticket) {
        if (ticket.open.compareAndSet(true, false)) {
            release(ticket.source, 1, ticket.handshakePending.getAndSet(false) ? 1 : 0);
        }
    }

    /** Addresses that hold a connection now. */
    int sources() {
        return bySource.size();
    }

    /** What {@code source} holds now: {connections, pending handshakes}. */
    int[] held(InetAddress source) {
        Counts c = bySource.get(source);
        return c == null ? new int[] {0, 0} : new int[] {c.connections(), c.handshakes()};
    }

    private void release(InetAddress source, int connections, int handshakes) {
        bySource.computeIfPresent(source, (address, c) -> {
            Counts after = new Counts(c.connections() - connections, c.handshakes() - handshakes);
            return after.connections() <= 0 && after.handshakes() <= 0 ? null : after;
        });
    }
}
