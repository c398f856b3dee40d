package io.chorus.client;

import io.chorus.core.Clock;
import io.chorus.transport.netty.ClientConnection;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.ConnectionSlot;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections to one node: a few multiplexed connections, opened on first use, replaced when they close,
 * and requests spread over them round-robin. After a failed connection attempt the node counts as down for the
 * back-off period, so requests fail over at once instead of each waiting for a connect timeout.
 *
 * <p>Thread-safe and lock-free: each {@link ConnectionSlot} is swapped with compare-and-set, so two callers never
 * open the same slot's connection twice, and no lock is held while connecting.
 */
final class NodePool implements AutoCloseable {

    private final InetSocketAddress address;
    private final EventLoops loops;
    private final ClientOptions options;
    private final HelloRequest hello;
    private final Clock clock;
    private final long downBackoffNanos;
    private final ConnectionSlot[] slots;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong downUntilNanos = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean closed;

    NodePool(InetSocketAddress address, EventLoops loops, ClientOptions options, String clientName, int size,
             Clock clock, long downBackoffMillis) {
        this.address = address;
        this.loops = loops;
        this.options = options;
        this.hello = HelloRequest.of(Role.CLIENT, clientName);
        this.clock = clock;
        this.downBackoffNanos = downBackoffMillis * 1_000_000L;
        this.slots = new ConnectionSlot[size];
        for (int i = 0; i < size; i++) {
            slots[i] = new ConnectionSlot(this::open);
        }
    }

    InetSocketAddress address() {
        return address;
    }

    /** Whether a recent connection attempt failed and the back-off has not run out. */
    boolean isDown() {
        return clock.nanoTime() - downUntilNanos.get() < 0;
    }

    /** An open connection, connecting if the chosen slot has none; fails with UNAVAILABLE if unreachable. */
    CompletableFuture<ClientConnection> connection() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("client closed"));
        }
        return slots[Math.floorMod(next.getAndIncrement(), slots.length)].connection();
    }

    private void open(CompletableFuture<ClientConnection> attempt) {
        ClientConnection.connect(loops, address, hello, options).whenComplete((conn, failure) -> {
            if (failure != null) {
                downUntilNanos.set(clock.nanoTime() + downBackoffNanos);
                attempt.completeExceptionally(failure);
            } else if (closed) {
                conn.close();
                attempt.completeExceptionally(new IllegalStateException("client closed"));
            } else {
                downUntilNanos.set(Long.MIN_VALUE);
                attempt.complete(conn);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        for (ConnectionSlot slot : slots) {
            slot.close();
        }
    }
}
