package io.chorus.client;

import io.chorus.core.Clock;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.core.transport.Message;
import io.chorus.transport.RemoteException;
import io.chorus.transport.netty.ClientConnection;
import io.chorus.transport.netty.ClientOptions;
import io.chorus.transport.netty.ConnectionSlot;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one node and the client's judgement of it. A few multiplexed connections, opened on first
 * use, replaced when they close, requests spread over them round-robin.
 *
 * <p>Two ways a node loses its turn. <b>Down</b>: a connection attempt failed, so for the back-off period requests
 * fail over at once instead of each waiting for a connect timeout; the next request after it reconnects. <b>Suspect</b>
 * ({@link NodeHealth}): the node accepts connections but does not answer (a stopped process, a stuck event loop),
 * so a request sent to it waits the client's whole wait. After the period one probe (CLUSTER_INFO, which runs the
 * node's request handler, not only its event loop) is sent in the background; user requests never pay for the
 * probe, and keep going elsewhere until it is answered.
 *
 * <p>Thread-safe and lock-free: each {@link ConnectionSlot} is swapped with compare-and-set, so two callers never
 * open the same slot's connection twice, and no lock is held while connecting; the health state is swapped the
 * same way.
 */
final class NodePool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodePool.class);

    /** Where a node stands, best first: the order in which requests try candidates. */
    enum Standing { GOOD, DOWN, SUSPECT }

    private final InetSocketAddress address;
    private final EventLoops loops;
    private final ClientOptions options;
    private final HelloRequest hello;
    private final Clock clock;
    private final long downBackoffNanos;
    private final long probeWaitMillis;
    private final NodeHealth health;
    private final ConnectionSlot[] slots;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong downUntilNanos = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean closed;

    NodePool(InetSocketAddress address, EventLoops loops, ClientOptions options, ClientConfig config) {
        this.address = address;
        this.loops = loops;
        this.options = options;
        this.hello = HelloRequest.of(Role.CLIENT, config.clientName()).withCredentials(config.credentials());
        this.clock = config.clock();
        this.downBackoffNanos = config.downBackoffMillis() * 1_000_000L;
        this.probeWaitMillis = config.requestTimeoutMillis();
        this.health = new NodeHealth(config.suspectAfterTimeouts(), config.suspectMillis() * 1_000_000L);
        this.slots = new ConnectionSlot[config.connectionsPerNode()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new ConnectionSlot(this::open);
        }
    }

    InetSocketAddress address() {
        return address;
    }

    /**
     * Whether requests should try this node now or after the others. Finding a suspect node's period over claims
     * the probe (one caller does) and sends it; the node stays suspect until the probe is answered.
     */
    Standing standing() {
        long now = clock.nanoTime();
        if (health.suspect()) {
            if (health.claimProbe(now)) {
                probe();
            }
            if (health.avoid(now)) {
                return Standing.SUSPECT;
            }
        }
        return now - downUntilNanos.get() < 0 ? Standing.DOWN : Standing.GOOD;
    }

    /** Whether the node has not answered since it became suspect, probe periods included. */
    boolean isSuspect() {
        return health.suspect();
    }

    /** An open connection, connecting if the chosen slot has none; fails with UNAVAILABLE if unreachable. */
    CompletableFuture<ClientConnection> connection() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("client closed"));
        }
        return slots[Math.floorMod(next.getAndIncrement(), slots.length)].connection();
    }

    /** Take just before sending a request on one of this pool's connections; give it back to {@link #record}. */
    long token() {
        return health.token();
    }

    /** Feeds a request's outcome ({@code failure} null for a reply) to the node's health. */
    void record(long token, Throwable failure) {
        if (failure == null || Failures.unwrap(failure) instanceof RemoteException) {
            if (health.onReply()) {
                log.info("{} answers again; requests go to it again", address);
            }
        } else if (isStall(failure) && health.onStall(token, clock.nanoTime())) {
            log.warn("{} is suspect: {}; its keys go to their other replicas for now", address,
                    Failures.unwrap(failure).getMessage());
        }
    }

    /** Connects if needed, sends {@code request}, and records the outcome; for requests that are not routed. */
    CompletableFuture<Message> request(Message request, long waitMillis) {
        return connection().thenCompose(conn -> {
            long token = token();
            return conn.request(request, waitMillis).whenComplete((reply, failure) -> record(token, failure));
        });
    }

    /**
     * Whether a failure says the node sent nothing back within the wait: the client's own TIMEOUT, not a node's
     * TIMEOUT answer (a {@link RemoteException}: the node answered, its replicas were slow).
     */
    static boolean isStall(Throwable failure) {
        Throwable cause = Failures.unwrap(failure);
        return cause instanceof ChorusException ce && ce.code() == ErrorCode.TIMEOUT
                && !(cause instanceof RemoteException);
    }

    private void probe() {
        long token = health.token();
        log.debug("{}: suspect period over, probing", address);
        request(Message.adopt(Opcodes.CLUSTER_INFO, new byte[0]), probeWaitMillis).whenComplete((reply, failure) -> {
            if (failure != null && !(Failures.unwrap(failure) instanceof RemoteException)) {
                health.probeFailed(token, clock.nanoTime());
                // The node may be fine and only this connection broken one way (half-open): the next probe then
                // connects afresh instead of writing into the same hole. Requests still on it are last resorts.
                resetConnections();
                log.debug("{}: probe got no answer ({}); still suspect", address, Failures.unwrap(failure).toString());
            }
        });
    }

    private void open(CompletableFuture<ClientConnection> attempt) {
        long token = health.token();
        ClientConnection.connect(loops, address, hello, options).whenComplete((conn, failure) -> {
            if (failure != null) {
                downUntilNanos.set(clock.nanoTime() + downBackoffNanos);
                // A HELLO without an answer is the same silence as a request's: suspect, so that user requests
                // stop waiting for reconnects to it and only probes do.
                record(token, failure);
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

    private void resetConnections() {
        if (!closed) {
            for (ConnectionSlot slot : slots) {
                slot.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (ConnectionSlot slot : slots) {
            slot.close();
        }
    }
}
