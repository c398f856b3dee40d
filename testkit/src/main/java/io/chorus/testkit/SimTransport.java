package io.chorus.testkit;

import io.chorus.core.NodeId;
import io.chorus.core.Scheduler.Cancellable;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One incarnation of a node's connection to the {@link SimNetwork}: the node's requests in flight and its handler.
 * The network holds the behaviour; this class is the node-facing handle and its per-incarnation state. A crash or a
 * close ends the incarnation for good (a restarted node gets a new one), so stale objects of a discarded node can
 * never send or serve again.
 *
 * <p>Thread-safety: confined to the simulation thread (see {@link VirtualScheduler}); every method checks it.
 */
final class SimTransport implements Transport {

    enum State { LIVE, CLOSED, CRASHED }

    private final SimNetwork network;
    private final NodeId self;
    private final int incarnation;

    // Mutated only by SimNetwork, on the simulation thread.
    State state = State.LIVE;
    RequestHandler handler;
    /** Insertion-ordered so that failing them all on close happens in a reproducible order. */
    final Map<Long, Pending> pending = new LinkedHashMap<>();

    SimTransport(SimNetwork network, NodeId self, int incarnation) {
        this.network = network;
        this.self = self;
        this.incarnation = incarnation;
    }

    @Override
    public NodeId self() {
        return self;
    }

    int incarnation() {
        return incarnation;
    }

    @Override
    public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
        return network.send(this, Objects.requireNonNull(to, "to"), Objects.requireNonNull(request, "request"),
                timeoutMillis);
    }

    @Override
    public void serve(RequestHandler handler) {
        network.serve(this, Objects.requireNonNull(handler, "handler"));
    }

    @Override
    public void close() {
        network.close(this);
    }

    @Override
    public String toString() {
        return "SimTransport[" + self + " #" + incarnation + " " + state + "]";
    }

    /** A request of this incarnation still waiting for its reply. */
    static final class Pending {
        final long id;
        final NodeId to;
        final CompletableFuture<Message> future;
        Cancellable timeout;

        Pending(long id, NodeId to, CompletableFuture<Message> future) {
            this.id = id;
            this.to = to;
            this.future = future;
        }
    }
}
