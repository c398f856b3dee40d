package io.chorus.testkit;

import static java.util.concurrent.CompletableFuture.completedFuture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SimNetworkTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final Message PING = Message.of(1, new byte[] {1, 2, 3});
    /** A fixed 5 ms per hop, so every arrival time is exact. */
    private static final NetworkConditions FIXED = NetworkConditions.DEFAULT.withLatency(5, 5);

    private final Simulation sim = new Simulation(7, FIXED);
    private final SimNetwork net = sim.network();
    private final AtomicInteger handled = new AtomicInteger();
    private final RequestHandler echo = (from, request) -> {
        handled.incrementAndGet();
        return completedFuture(Message.of(request.opcode() + 1, request.body()));
    };

    @Test
    void aReplyArrivesAfterTwoHopsAndNeverInsideRequest() {
        Transport a = net.transport(A);
        List<NodeId> callers = new ArrayList<>();
        net.transport(B).serve((from, request) -> {
            callers.add(from);
            return echo.handle(from, request);
        });

        CompletableFuture<Message> reply = a.request(B, PING, 100);
        assertThat(reply).isNotDone();
        assertThat(sim.runUntil(reply::isDone, 1_000)).isTrue();

        assertThat(reply.join()).isEqualTo(Message.of(2, new byte[] {1, 2, 3}));
        assertThat(sim.clock().elapsedMillis()).isEqualTo(10);
        assertThat(callers).containsExactly(A);
    }

    @Test
    void sendersReceiversAndDuplicatesNeverShareABody() {
        sim.network().setConditions(FIXED.withDuplicateProbability(1.0));
        List<byte[]> seen = new ArrayList<>();
        net.transport(B).serve((from, request) -> {
            seen.add(request.body());
            request.bodyUnsafe()[0] = 99; // a misbehaving handler scribbles on what it was given
            return completedFuture(request);
        });
        byte[] sent = {1, 2, 3};

        CompletableFuture<Message> reply = net.transport(A).request(B, Message.adopt(1, sent), 100);
        sent[0] = 42; // and so does the sender, after sending
        sim.runUntilIdle();

        assertThat(seen).hasSize(2).allSatisfy(body -> assertThat(body).containsExactly(1, 2, 3));
        assertThat(reply.join().body()).containsExactly(99, 2, 3);
    }

    @Test
    void aTimeoutFiresAtExactlyItsVirtualDeadline() {
        net.transport(B).serve((from, request) -> new CompletableFuture<>()); // never answers
        Transport a = net.transport(A);
        sim.advance(7);

        CompletableFuture<Message> reply = a.request(B, PING, 100);
        sim.runUntil(reply::isDone, 1_000);

        assertThat(failure(reply).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(sim.clock().elapsedMillis()).isEqualTo(107);
        assertThat(net.stats().timedOut()).isEqualTo(1);
    }

    @Test
    void aReplyAfterTheTimeoutIsIgnored() {
        net.transport(B).serve((from, request) -> {
            CompletableFuture<Message> slow = new CompletableFuture<>();
            sim.scheduler().schedule(() -> slow.complete(request), 50, TimeUnit.MILLISECONDS);
            return slow;
        });

        CompletableFuture<Message> reply = net.transport(A).request(B, PING, 20);
        sim.runUntilIdle();

        assertThat(failure(reply).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(net.stats().ignored()).isEqualTo(1);
    }

    @Test
    void handlerErrorsReachTheCallerWithTheirCode() {
        net.transport(B).serve((from, request) -> switch (request.opcode()) {
            case 1 -> throw new ChorusException(ErrorCode.OVERLOADED, "shedding");
            case 2 -> CompletableFuture.failedFuture(new ChorusException(ErrorCode.NOT_A_REPLICA, "not mine"));
            case 3 -> throw new IllegalStateException("bug");
            case 4 -> CompletableFuture.failedFuture(new IOException("disk"));
            default -> null;
        });
        Transport a = net.transport(A);
        List<CompletableFuture<Message>> replies = new ArrayList<>();
        for (int opcode = 1; opcode <= 5; opcode++) {
            replies.add(a.request(B, Message.of(opcode, new byte[0]), 100));
        }

        sim.runUntilIdle();

        assertThat(replies).extracting(r -> failure(r).code()).containsExactly(ErrorCode.OVERLOADED,
                ErrorCode.NOT_A_REPLICA, ErrorCode.INTERNAL, ErrorCode.INTERNAL, ErrorCode.INTERNAL);
        assertThat(failure(replies.get(0))).hasMessageContaining("shedding");
        assertThat(failure(replies.get(3))).hasMessageContaining("disk");
    }

    @Test
    void aDuplicatedRequestRunsTheHandlerTwiceButCompletesTheCallerOnce() {
        net.setConditions(FIXED.withDuplicateProbability(1.0));
        net.transport(B).serve(echo);
        AtomicInteger completions = new AtomicInteger();

        net.transport(A).request(B, PING, 100).thenRun(completions::incrementAndGet);
        sim.runUntilIdle();

        assertThat(handled).hasValue(2);
        assertThat(completions).hasValue(1);
        // Two replies, each duplicated: the first arrival completes, the other three are ignored.
        assertThat(net.stats().ignored()).isEqualTo(3);
        assertThat(net.stats().duplicated()).isEqualTo(3);
    }

    @Test
    void messagesAreDroppedAtTheConfiguredRate() {
        int requests = 4_000;
        net.setConditions(NetworkConditions.DEFAULT.withDropProbability(0.2));
        net.transport(B).serve(echo);
        Transport a = net.transport(A);
        AtomicInteger answered = new AtomicInteger();
        for (int i = 0; i < requests; i++) {
            a.request(B, PING, 50).thenRun(answered::incrementAndGet);
        }

        sim.runUntilIdle();

        // Binomial standard deviations here are under 0.01; these bounds are 3 to 5 of them wide.
        NetworkStats stats = net.stats();
        assertThat((double) stats.dropped() / stats.sent()).isCloseTo(0.2, within(0.02));
        assertThat((double) handled.get() / requests).as("requests that arrived").isCloseTo(0.8, within(0.03));
        assertThat((double) answered.get() / requests).as("both ways survived").isCloseTo(0.64, within(0.03));
        assertThat(stats.timedOut()).isEqualTo(requests - answered.get());
    }

    @Test
    void aPartitionBlocksExactlyTheCrossSideTrafficAndHealRestoresIt() {
        List<NodeId> nodes = List.of(A, B, C, NodeId.of("d"), NodeId.of("e"));
        nodes.forEach(n -> net.transport(n).serve(echo));
        net.partition(Set.of(A, B), Set.of(C)); // d and e, unlisted, form a third side together
        Set<Set<NodeId>> sides = Set.of(Set.of(A, B), Set.of(C), Set.of(NodeId.of("d"), NodeId.of("e")));

        for (NodeId from : nodes) {
            for (NodeId to : nodes) {
                CompletableFuture<Message> reply = net.transport(from).request(to, PING, 100);
                sim.runUntil(reply::isDone, 1_000);
                boolean sameSide = sides.stream().anyMatch(side -> side.contains(from) && side.contains(to));
                assertThat(net.connected(from, to)).isEqualTo(sameSide);
                if (sameSide) {
                    assertThat(reply).as(from + "->" + to).isCompleted();
                } else {
                    assertThat(failure(reply).code()).as(from + "->" + to).isEqualTo(ErrorCode.TIMEOUT);
                }
            }
        }

        net.heal();
        for (NodeId from : nodes) {
            for (NodeId to : nodes) {
                CompletableFuture<Message> reply = net.transport(from).request(to, PING, 100);
                sim.runUntil(reply::isDone, 1_000);
                assertThat(reply).as(from + "->" + to + " after heal").isCompleted();
            }
        }
    }

    @Test
    void aMessageInFlightWhenThePartitionStartsIsLost() {
        net.transport(B).serve(echo);
        CompletableFuture<Message> reply = net.transport(A).request(B, PING, 100);
        sim.advance(2);

        net.isolate(B);
        sim.runUntilIdle();

        assertThat(failure(reply).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(handled).hasValue(0);
        assertThat(net.stats().blocked()).isEqualTo(1);
    }

    @Test
    void aCrashedNodeTimesOutItsCallersAndARestartBringsItBack() {
        Transport a = net.transport(A);
        net.transport(B).serve(echo);
        assertThat(roundTrip(a, B)).isCompleted();

        net.crash(B);
        CompletableFuture<Message> toCrashed = a.request(B, PING, 100);
        long sentAt = sim.clock().elapsedMillis();
        sim.runUntil(toCrashed::isDone, 1_000);
        assertThat(failure(toCrashed).code()).as("a dead host sends no refusal").isEqualTo(ErrorCode.TIMEOUT);
        assertThat(sim.clock().elapsedMillis() - sentAt).isEqualTo(100);
        assertThat(handled).hasValue(1);
        assertThatThrownBy(() -> net.transport(B)).hasMessageContaining("restart");

        Transport restarted = net.restart(B);
        assertThat(failure(roundTrip(a, B)).code()).as("up, not serving yet").isEqualTo(ErrorCode.UNAVAILABLE);
        restarted.serve(echo);
        assertThat(roundTrip(a, B)).isCompleted();
        assertThat(net.transport(B)).isSameAs(restarted);
    }

    @Test
    void aCrashedNodesOwnRequestsNeverCompleteAndItsOldTransportStaysDead() {
        Transport b = net.transport(B);
        net.transport(C).serve(echo);
        CompletableFuture<Message> inFlight = b.request(C, PING, 50);
        sim.advance(1);

        net.crash(B);
        CompletableFuture<Message> zombie = b.request(C, PING, 50);
        sim.advance(1_000);

        assertThat(inFlight).as("not even a timeout for a dead process").isNotDone();
        assertThat(zombie).isNotDone();
        assertThat(handled).as("the request already on the wire still arrived").hasValue(1);

        Transport restarted = net.restart(B);
        b.serve(echo); // the discarded node's code cannot come back to life
        assertThat(failure(roundTrip(net.transport(A), B)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(roundTrip(restarted, C)).isCompleted();
    }

    @Test
    void theReplyOfANodeThatCrashesWhileHandlingIsLost() {
        net.transport(B).serve((from, request) -> {
            CompletableFuture<Message> slow = new CompletableFuture<>();
            sim.scheduler().schedule(() -> slow.complete(request), 20, TimeUnit.MILLISECONDS);
            return slow;
        });
        CompletableFuture<Message> reply = net.transport(A).request(B, PING, 100);
        sim.advance(10);

        net.crash(B);
        sim.runUntilIdle();

        assertThat(failure(reply).code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(net.stats().lost()).isEqualTo(1);
    }

    @Test
    void aClosedTransportFailsItsRequestsAndIsRefusedQuickly() {
        Transport a = net.transport(A);
        Transport b = net.transport(B);
        b.serve(echo);
        net.transport(C).serve((from, request) -> new CompletableFuture<>());
        CompletableFuture<Message> pending = b.request(C, PING, 1_000);
        sim.advance(1);

        b.close();
        assertThat(pending).as("failed in a later event, not inside close()").isNotDone();
        sim.scheduler().runNext();
        assertThat(failure(pending).code()).isEqualTo(ErrorCode.UNAVAILABLE);

        CompletableFuture<Message> refused = a.request(B, PING, 1_000);
        long sentAt = sim.clock().elapsedMillis();
        sim.runUntil(refused::isDone, 1_000);
        assertThat(failure(refused).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(sim.clock().elapsedMillis() - sentAt).as("one round trip, no timeout").isEqualTo(10);

        net.transport(B).serve(echo);
        assertThat(roundTrip(a, B)).isCompleted();
    }

    @Test
    void anUnknownNodeIsUnavailableAtOnce() {
        CompletableFuture<Message> reply = net.transport(A).request(NodeId.of("ghost"), PING, 100);
        assertThat(reply).isNotDone();

        sim.runUntil(reply::isDone, 1_000);

        assertThat(failure(reply).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(sim.clock().nanoTime()).isZero();
    }

    private CompletableFuture<Message> roundTrip(Transport from, NodeId to) {
        CompletableFuture<Message> reply = from.request(to, PING, 100);
        sim.runUntil(reply::isDone, 1_000);
        return reply;
    }

    private static ChorusException failure(CompletableFuture<Message> reply) {
        assertThat(reply).isCompletedExceptionally();
        Throwable cause = reply.handle((ok, t) -> t).join();
        assertThat(cause).isInstanceOf(ChorusException.class);
        return (ChorusException) cause;
    }
}
