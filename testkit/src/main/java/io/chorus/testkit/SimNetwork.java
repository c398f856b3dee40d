package io.chorus.testkit;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.NotSentException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.testkit.SimTransport.Pending;
import io.chorus.testkit.SimTransport.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A simulated network of nodes in one JVM, running on the simulation's {@link VirtualScheduler} and drawing every
 * random decision from the simulation's one seeded {@link Random}, so a run is a function of its seed.
 *
 * <p><b>Messages.</b> Every request and reply is a scheduled event: it arrives after a latency drawn from the
 * {@link NetworkConditions}, so messages reorder; it may be dropped, or duplicated (a duplicated request runs the
 * handler twice; only the first reply completes the caller's future, later ones are ignored). Bodies are copied on
 * sending and again for each delivery, so sender, receivers and duplicate copies never share an array. A caller's
 * future never completes inside {@code request()} itself, always in a later event.
 *
 * <p><b>How a request ends</b>, as on a real network:
 * <ul>
 *   <li>the reply; or the handler's error: a {@link ChorusException} keeps its code, anything else becomes
 *       INTERNAL (a handler that <em>throws</em> an {@link Error}, e.g. a failed assertion, fails the simulation
 *       run instead);</li>
 *   <li>UNAVAILABLE, fast, when nothing listens: the node is unknown to the network (at once, like an
 *       unresolvable address), or its transport is closed (after a round trip, like a connection refused by a
 *       closed port), both a {@link NotSentException} since the request surely never ran; or its transport is
 *       not yet serving (an error answer, as a node's server gives);</li>
 *   <li>TIMEOUT, after {@code timeoutMillis} of virtual time, when the request or reply was dropped, blocked by a
 *       partition, or sent to a crashed node: a dead host or a cut link sends nothing back.</li>
 * </ul>
 *
 * <p><b>Partitions.</b> {@link #partition(Set[])} splits the nodes into sides; messages between sides are blocked,
 * both when sent and when they would arrive (a message in flight when the partition starts is lost). Nodes not
 * listed in any side, including nodes that join later, together form one more side. {@link #heal()} reconnects
 * everyone.
 *
 * <p><b>Crash and restart.</b> {@link #crash(NodeId)} kills the node's process: its transport stops serving and
 * sending, messages to it are lost (callers time out), replies it was about to send are lost, and its own requests
 * in flight never complete, not even by timeout: a dead process observes nothing. The test discards the node's
 * objects. {@link #restart(NodeId)} brings the node back with a <em>new</em> transport on which the test builds a
 * fresh node and calls {@code serve}; until then requests to it are refused (UNAVAILABLE). The old transport stays
 * dead, so timers of the discarded node objects that still fire cannot send or serve as a zombie: their requests
 * never complete either. {@link Transport#close()} is a graceful stop instead: the node's requests in flight fail
 * with UNAVAILABLE and later requests to it are refused; {@link #transport(NodeId)} opens it again.
 *
 * <p><b>Slow nodes.</b> {@link #slow(NodeId, Slowdown)} adds an extra latency to the messages a node receives and/or
 * sends, until {@link #unslow(NodeId)}; it survives crashes, restarts and partitions (it is the node's link or
 * machine that is slow), and applies to messages sent from then on. The extra delay is drawn from the same seeded
 * random source, but only for messages that touch a slow node, so a run without slow nodes draws exactly what it did
 * before slow nodes existed.
 *
 * <p>Every event goes to the {@link Trace}. Thread-safety: confined to the simulation thread, like the scheduler.
 */
public final class SimNetwork {

    /** The extra delay of a message that touches no slow node (distinct from a slow node's extra of 0 ms). */
    private static final long NOT_SLOW = -1;

    private final VirtualScheduler scheduler;
    private final Random random;
    private final Trace trace;
    private final Map<NodeId, Endpoint> endpoints = new HashMap<>();
    private Map<NodeId, Integer> sideOf = Map.of();
    private final Map<NodeId, Slowdown> slowdowns = new HashMap<>();
    private NetworkConditions conditions;
    private long lastMessageId;
    private long sent;
    private long delivered;
    private long dropped;
    private long duplicated;
    private long blocked;
    private long lost;
    private long refused;
    private long ignored;
    private long timedOut;
    private long slowed;

    SimNetwork(VirtualScheduler scheduler, Random random, Trace trace, NetworkConditions conditions) {
        this.scheduler = scheduler;
        this.random = random;
        this.trace = trace;
        this.conditions = Objects.requireNonNull(conditions, "conditions");
    }

    /**
     * The transport of {@code node}'s current incarnation, opening one (and making the node known to the network)
     * if it has none or its last one was closed. Fails for a crashed node: {@link #restart} gives the new one.
     */
    public Transport transport(NodeId node) {
        scheduler.checkThread();
        Endpoint endpoint = endpoints.computeIfAbsent(Objects.requireNonNull(node, "node"), n -> new Endpoint());
        if (endpoint.crashed) {
            throw new IllegalStateException(node + " is crashed; restart(" + node + ") gives its new transport");
        }
        if (endpoint.current == null || endpoint.current.state == State.CLOSED) {
            open(node, endpoint);
        }
        return endpoint.current;
    }

    /** Kills {@code node}'s process; see the class javadoc for what happens to messages. */
    public void crash(NodeId node) {
        Endpoint endpoint = known(node);
        if (endpoint.crashed) {
            throw new IllegalStateException(node + " is already crashed");
        }
        endpoint.crashed = true;
        trace.record("crash " + node);
        SimTransport current = endpoint.current;
        if (current != null && current.state == State.LIVE) {
            current.state = State.CRASHED;
            current.handler = null;
            // Its requests never complete: cancel their timeouts too, a dead process has no timers.
            current.pending.values().forEach(p -> p.timeout.cancel());
            current.pending.clear();
        }
    }

    /** Brings a crashed node back and returns its new transport, which refuses requests until {@code serve}. */
    public Transport restart(NodeId node) {
        Endpoint endpoint = known(node);
        if (!endpoint.crashed) {
            throw new IllegalStateException(node + " is not crashed");
        }
        endpoint.crashed = false;
        trace.record("restart " + node);
        return open(node, endpoint);
    }

    public boolean isCrashed(NodeId node) {
        return known(node).crashed;
    }

    /**
     * Replaces any current partition: nodes in different {@code sides} cannot exchange messages, and all nodes in
     * no side form one more side together. A node may be in at most one side.
     */
    @SafeVarargs
    public final void partition(Set<NodeId>... sides) {
        scheduler.checkThread();
        Map<NodeId, Integer> map = new HashMap<>();
        StringJoiner description = new StringJoiner(" | ", "partition ", " | (rest)");
        for (int side = 0; side < sides.length; side++) {
            for (NodeId node : sides[side]) {
                if (map.put(node, side) != null) {
                    throw new IllegalArgumentException(node + " is listed in two sides");
                }
            }
            // Sorted: a Set's iteration order is not part of the run, the trace must not depend on it.
            description.add(new TreeSet<>(sides[side]).toString());
        }
        sideOf = Map.copyOf(map);
        trace.record(description.toString());
    }

    /** Cuts {@code node} off from every other node: {@code partition(Set.of(node))}. */
    public void isolate(NodeId node) {
        partition(Set.of(node));
    }

    /** Ends the partition: every node can reach every other again. */
    public void heal() {
        scheduler.checkThread();
        sideOf = Map.of();
        trace.record("heal");
    }

    /** Whether the current partition lets {@code a} and {@code b} exchange messages (crashes aside). */
    public boolean connected(NodeId a, NodeId b) {
        return sideOf.getOrDefault(a, -1).equals(sideOf.getOrDefault(b, -1));
    }

    /**
     * Makes {@code node} slow from now on (replacing any slowdown it had): see {@link Slowdown}. Messages already in
     * flight keep their arrival time.
     */
    public void slow(NodeId node, Slowdown slowdown) {
        scheduler.checkThread();
        slowdowns.put(Objects.requireNonNull(node, "node"), Objects.requireNonNull(slowdown, "slowdown"));
        trace.record("slow " + node + " " + slowdown);
    }

    /** Ends {@code node}'s slowdown, if any, for messages sent from now on. */
    public void unslow(NodeId node) {
        scheduler.checkThread();
        if (slowdowns.remove(Objects.requireNonNull(node, "node")) != null) {
            trace.record("unslow " + node);
        }
    }

    /** The nodes slow now, in order. */
    public SortedSet<NodeId> slowNodes() {
        return new TreeSet<>(slowdowns.keySet());
    }

    public NetworkConditions conditions() {
        return conditions;
    }

    /** Applies to messages sent from now on; messages in flight keep the fate already drawn for them. */
    public void setConditions(NetworkConditions conditions) {
        scheduler.checkThread();
        this.conditions = Objects.requireNonNull(conditions, "conditions");
        trace.record("conditions " + conditions);
    }

    /** The nodes the network has seen a transport for, in order. */
    public SortedSet<NodeId> nodes() {
        return new TreeSet<>(endpoints.keySet());
    }

    public NetworkStats stats() {
        return new NetworkStats(sent, delivered, dropped, duplicated, blocked, lost, refused, ignored, timedOut,
                slowed);
    }

    // ---- called by SimTransport ----

    CompletableFuture<Message> send(SimTransport caller, NodeId to, Message request, long timeoutMillis) {
        scheduler.checkThread();
        CompletableFuture<Message> future = new CompletableFuture<>();
        if (timeoutMillis <= 0) {
            // As the Netty transport does: no time to wait is a timeout, not a programming error.
            future.completeExceptionally(new ChorusException(ErrorCode.TIMEOUT, "a timeout of " + timeoutMillis
                    + " ms leaves no time to wait for a reply"));
            return future;
        }
        long id = ++lastMessageId;
        String label = "#" + id + " req " + caller.self() + "->" + to;
        if (caller.state == State.CRASHED) {
            trace.record(label + " not sent (" + caller.self() + " crashed, never completes)");
            return future;
        }
        if (caller.state == State.CLOSED) {
            trace.record(label + " not sent (transport closed)");
            scheduler.execute(() -> future.completeExceptionally(
                    new NotSentException("the transport of " + caller.self() + " is closed")));
            return future;
        }
        Pending pending = new Pending(id, to, future);
        caller.pending.put(id, pending);
        pending.timeout = scheduler.schedule(() -> timeOut(caller, pending, timeoutMillis),
                timeoutMillis, TimeUnit.MILLISECONDS);
        Envelope envelope = Envelope.request(id, caller, to, request.opcode(), request.body());
        if (!endpoints.containsKey(to)) {
            sent++;
            refused++;
            trace.record(label + " " + envelope.content() + " refused (unknown node)");
            scheduler.execute(() -> end(caller, pending, new NotSentException("unknown node " + to)));
            return future;
        }
        transmit(envelope);
        return future;
    }

    void serve(SimTransport transport, RequestHandler handler) {
        scheduler.checkThread();
        // A dead incarnation ignores it: a discarded node's leftover code must not come back to life.
        if (transport.state == State.LIVE) {
            transport.handler = handler;
            trace.record("serve " + transport.self());
        }
    }

    void close(SimTransport transport) {
        scheduler.checkThread();
        if (transport.state != State.LIVE) {
            return;
        }
        transport.state = State.CLOSED;
        transport.handler = null;
        trace.record("close " + transport.self());
        List<Pending> failing = new ArrayList<>(transport.pending.values());
        transport.pending.clear();
        failing.forEach(p -> p.timeout.cancel());
        // In a later event, as a real connection teardown would: never re-enter the caller from inside close().
        scheduler.execute(() -> failing.forEach(p -> p.future.completeExceptionally(
                unavailable("the transport of " + transport.self() + " was closed"))));
    }

    // ---- the wire ----

    private void transmit(Envelope e) {
        // Every message draws the same four numbers whatever its fate, so changing one knob (say the drop rate)
        // shifts as little as possible of the rest of a seeded run. A message touching a slow node draws its extra
        // delays too, again whatever its fate; other messages draw nothing more.
        double dropRoll = random.nextDouble();
        double duplicateRoll = random.nextDouble();
        long latency = latency();
        long duplicateLatency = latency();
        long extra = slowExtra(e);
        long duplicateExtra = slowExtra(e);
        sent++;
        String label = e.label() + " " + e.content();
        if (!connected(e.from(), e.to())) {
            blocked++;
            trace.record(label + " blocked (partition)");
            return;
        }
        if (dropRoll < conditions.dropProbability()) {
            dropped++;
            trace.record(label + " dropped");
            return;
        }
        trace.record(label + " sent latency=" + describe(latency, extra));
        slowed += extra == NOT_SLOW ? 0 : 1;
        scheduler.schedule(() -> arrive(e), latency + Math.max(0, extra), TimeUnit.MILLISECONDS);
        if (duplicateRoll < conditions.duplicateProbability()) {
            duplicated++;
            trace.record(e.label() + " duplicated latency=" + describe(duplicateLatency, duplicateExtra));
            slowed += duplicateExtra == NOT_SLOW ? 0 : 1;
            scheduler.schedule(() -> arrive(e), duplicateLatency + Math.max(0, duplicateExtra),
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The extra delay of one copy of {@code e}: the sender's outbound slowdown plus the receiver's inbound one, each
     * drawn only if it applies; {@link #NOT_SLOW} when neither does (and then the trace line stays as it was before
     * slow nodes existed).
     */
    private long slowExtra(Envelope e) {
        Slowdown out = slowdowns.get(e.from());
        Slowdown in = slowdowns.get(e.to());
        boolean applies = false;
        long extra = 0;
        if (out != null && out.outbound()) {
            applies = true;
            extra += random.nextLong(out.minExtraMillis(), out.maxExtraMillis() + 1);
        }
        if (in != null && in.inbound()) {
            applies = true;
            extra += random.nextLong(in.minExtraMillis(), in.maxExtraMillis() + 1);
        }
        return applies ? extra : NOT_SLOW;
    }

    private static String describe(long latency, long extra) {
        if (extra == NOT_SLOW) {
            return String.valueOf(latency);
        }
        return (latency + extra) + " (slowed +" + extra + ")";
    }

    private long latency() {
        return random.nextLong(conditions.minLatencyMillis(), conditions.maxLatencyMillis() + 1);
    }

    private void arrive(Envelope e) {
        if (!connected(e.from(), e.to())) {
            blocked++;
            trace.record(e.label() + " blocked (partition)");
        } else if (e.isReply()) {
            arriveReply(e);
        } else {
            arriveRequest(e);
        }
    }

    private void arriveRequest(Envelope e) {
        Endpoint endpoint = endpoints.get(e.to());
        if (endpoint.crashed) {
            lost++;
            trace.record(e.label() + " lost (" + e.to() + " crashed)");
            return;
        }
        SimTransport server = endpoint.current;
        if (server == null || server.state != State.LIVE || server.handler == null) {
            refused++;
            String why = server == null || server.state != State.LIVE ? "transport closed" : "not serving";
            trace.record(e.label() + " refused (" + why + ")");
            String message = e.to() + " refused the connection: " + why;
            // A closed transport is a port nobody listens on; a live one not serving yet answers an error.
            transmit(server == null || server.state != State.LIVE ? e.refusal(message)
                    : e.errorReply(ErrorCode.UNAVAILABLE, message));
            return;
        }
        delivered++;
        trace.record(e.label() + " delivered");
        CompletableFuture<Message> result;
        try {
            result = server.handler.handle(e.from(), Message.of(e.opcode(), e.body()));
        } catch (RuntimeException thrown) {
            result = CompletableFuture.failedFuture(thrown);
        }
        if (result == null) {
            result = CompletableFuture.failedFuture(new NullPointerException("the handler returned no future"));
        }
        result.whenComplete((reply, failure) -> replied(server, e, reply, failure));
    }

    /** Runs when the handler's future completes, which may be right away or many events later. */
    private void replied(SimTransport server, Envelope request, Message reply, Throwable failure) {
        scheduler.checkThread();
        if (server.state == State.CRASHED) {
            lost++;
            trace.record("#" + request.id() + " rep " + request.to() + "->" + request.from() + " lost ("
                    + request.to() + " crashed)");
            return;
        }
        if (server.state == State.CLOSED) {
            transmit(request.errorReply(ErrorCode.UNAVAILABLE, request.to() + " closed the connection"));
        } else if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            ErrorCode code = cause instanceof ChorusException ce ? ce.code() : ErrorCode.INTERNAL;
            String message = cause instanceof ChorusException ? cause.getMessage() : cause.toString();
            transmit(request.errorReply(code, message));
        } else if (reply == null) {
            transmit(request.errorReply(ErrorCode.INTERNAL, "the handler completed with no message"));
        } else {
            transmit(request.reply(reply.opcode(), reply.body()));
        }
    }

    private void arriveReply(Envelope e) {
        SimTransport caller = e.caller();
        if (caller.state == State.CRASHED) {
            lost++;
            trace.record(e.label() + " lost (" + e.to() + " crashed)");
            return;
        }
        Pending pending = caller.pending.remove(e.id());
        if (pending == null) {
            ignored++;
            trace.record(e.label() + " ignored (request already ended)");
            return;
        }
        pending.timeout.cancel();
        delivered++;
        trace.record(e.label() + " delivered");
        if (e.refused()) {
            pending.future.completeExceptionally(new NotSentException(e.errorMessage()));
        } else if (e.error() != null) {
            pending.future.completeExceptionally(
                    new ChorusException(e.error(), e.from() + " replied " + e.error() + ": " + e.errorMessage()));
        } else {
            pending.future.complete(Message.of(e.opcode(), e.body()));
        }
    }

    private void timeOut(SimTransport caller, Pending pending, long timeoutMillis) {
        if (caller.state != State.LIVE || caller.pending.remove(pending.id) == null) {
            return;
        }
        timedOut++;
        trace.record("#" + pending.id + " req " + caller.self() + "->" + pending.to + " timed out");
        pending.future.completeExceptionally(new ChorusException(ErrorCode.TIMEOUT,
                "no reply from " + pending.to + " within " + timeoutMillis + " ms"));
    }

    private void end(SimTransport caller, Pending pending, ChorusException failure) {
        if (caller.state == State.LIVE && caller.pending.remove(pending.id) != null) {
            pending.timeout.cancel();
            pending.future.completeExceptionally(failure);
        }
    }

    private SimTransport open(NodeId node, Endpoint endpoint) {
        endpoint.incarnation++;
        endpoint.current = new SimTransport(this, node, endpoint.incarnation);
        trace.record("open " + node + " incarnation " + endpoint.incarnation);
        return endpoint.current;
    }

    private Endpoint known(NodeId node) {
        scheduler.checkThread();
        Endpoint endpoint = endpoints.get(node);
        if (endpoint == null) {
            throw new IllegalArgumentException("unknown node " + node + ": it never had a transport");
        }
        return endpoint;
    }

    private static ChorusException unavailable(String message) {
        return new ChorusException(ErrorCode.UNAVAILABLE, message);
    }

    /** A node's place in the network across its incarnations. */
    private static final class Endpoint {
        boolean crashed;
        int incarnation;
        SimTransport current;
    }
}
