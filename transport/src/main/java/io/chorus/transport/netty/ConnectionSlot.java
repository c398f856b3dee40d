package io.chorus.transport.netty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A place for one reusable connection: opened on first use, and opened again once the last one closed or its
 * attempt failed. Node-to-node transports keep one per peer, clients a few per node.
 *
 * <p>Thread-safe and lock-free: the slot's future is swapped by compare-and-set, so concurrent callers share one
 * attempt and never open the same slot twice, and no lock is held while connecting.
 */
public final class ConnectionSlot {

    private final AtomicReference<CompletableFuture<ClientConnection>> current = new AtomicReference<>();
    private final Consumer<CompletableFuture<ClientConnection>> open;

    /**
     * @param open starts a connection attempt and completes the future it is given with the connection or the
     *             failure; it must not throw. Concurrent callers share one attempt; only {@link #close} empties
     *             the slot while an attempt is pending, so the next caller starts another
     */
    public ConnectionSlot(Consumer<CompletableFuture<ClientConnection>> open) {
        this.open = open;
    }

    /** The open connection, the pending attempt, or a new attempt when the last connection is closed or failed. */
    public CompletableFuture<ClientConnection> connection() {
        while (true) {
            CompletableFuture<ClientConnection> f = current.get();
            if (f != null && usable(f)) {
                return f;
            }
            CompletableFuture<ClientConnection> fresh = new CompletableFuture<>();
            if (current.compareAndSet(f, fresh)) {
                open.accept(fresh);
                return fresh;
            }
            // Another caller started an attempt first: use theirs.
        }
    }

    /** Empties the slot and closes its connection, now or when its pending attempt succeeds. */
    public void close() {
        CompletableFuture<ClientConnection> f = current.getAndSet(null);
        if (f != null) {
            f.thenAccept(ClientConnection::close);
        }
    }

    private static boolean usable(CompletableFuture<ClientConnection> f) {
        return !f.isDone() || (!f.isCompletedExceptionally() && f.join().isOpen());
    }
}
