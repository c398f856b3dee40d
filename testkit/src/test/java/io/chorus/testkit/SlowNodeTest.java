package io.chorus.testkit;

import static java.util.concurrent.CompletableFuture.completedFuture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link SimNetwork#slow}: a node that is late, not gone. */
class SlowNodeTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final Message PING = Message.of(1, new byte[] {1});
    /** A fixed 5 ms per hop, so every arrival time is exact. */
    private static final NetworkConditions FIXED = NetworkConditions.DEFAULT.withLatency(5, 5);

    private final Simulation sim = new Simulation(11, FIXED);
    private final SimNetwork net = sim.network();
    /** Virtual time (ms) at which B's handler ran, one entry per request it handled. */
    private final List<Long> handledAt = new ArrayList<>();
    private final RequestHandler echo = (from, request) -> {
        handledAt.add(sim.clock().elapsedMillis());
        return completedFuture(request);
    };

    @Test
    void inboundDelaysWhatTheNodeHearsOutboundWhatItSays() {
        net.transport(B).serve(echo);

        net.slow(B, Slowdown.inbound(100, 100));
        assertThat(roundTripMillis()).isEqualTo(110);
        assertThat(handledAt).as("the request arrived late").containsExactly(105L);

        net.slow(B, Slowdown.outbound(100, 100));
        assertThat(roundTripMillis()).isEqualTo(110);
        assertThat(handledAt.get(1)).as("on time in, late back").isEqualTo(110 + 5L);

        net.slow(B, Slowdown.both(100, 100));
        assertThat(roundTripMillis()).isEqualTo(210);
        assertThat(net.stats().slowed()).as("one per message that touched the slow node").isEqualTo(4);
    }

    @Test
    void theSlowNodesOwnRequestsAreLateOnlyInTheDirectionsSlowed() {
        net.transport(A).serve(echo);
        net.slow(B, Slowdown.outbound(40, 40));

        CompletableFuture<Message> reply = net.transport(B).request(A, PING, 1_000);
        sim.runUntil(reply::isDone, 1_000);

        assertThat(handledAt).containsExactly(45L);
        assertThat(sim.clock().elapsedMillis()).as("A's reply to B is not slowed").isEqualTo(50);
    }

    @Test
    void aNodeSlowerThanTheTimeoutStillActsButItsReplyIsIgnored() {
        net.transport(B).serve(echo);
        net.slow(B, Slowdown.inbound(300, 300));

        CompletableFuture<Message> reply = net.transport(A).request(B, PING, 100);
        sim.runUntilIdle();

        assertThat(reply).isCompletedExceptionally();
        assertThat(reply.handle((ok, t) -> ((ChorusException) t).code()).join()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(handledAt).as("the late request still ran: a timeout is no proof of nothing done")
                .containsExactly(305L);
        assertThat(net.stats().timedOut()).isEqualTo(1);
        assertThat(net.stats().ignored()).isEqualTo(1);
    }

    @Test
    void extraDelaysAreDrawnAcrossTheirRange() {
        net.transport(B).serve(echo);
        net.slow(B, Slowdown.inbound(20, 80));
        for (int i = 0; i < 500; i++) {
            net.transport(A).request(B, PING, 1_000);
        }
        sim.runUntilIdle();

        assertThat(handledAt).hasSize(500).allSatisfy(t -> assertThat(t).isBetween(25L, 85L));
        // Uniform over 61 values: 500 draws land in both outer tenths with near certainty.
        assertThat(handledAt.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(31);
        assertThat(handledAt.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(79);
    }

    @Test
    void unslowAppliesToLaterMessagesWhileThoseInFlightKeepTheirDelay() {
        net.transport(B).serve(echo);
        net.slow(B, Slowdown.inbound(100, 100));
        CompletableFuture<Message> early = net.transport(A).request(B, PING, 1_000);
        sim.advance(1);

        net.unslow(B);
        CompletableFuture<Message> late = net.transport(A).request(B, PING, 1_000);
        sim.runUntilIdle();

        assertThat(early).isCompleted();
        assertThat(late).isCompleted();
        assertThat(handledAt).as("the second request overtook the first").containsExactly(6L, 105L);
        assertThat(net.slowNodes()).isEmpty();
    }

    @Test
    void aSlowdownOutlivesACrashAndARestart() {
        net.transport(B).serve(echo);
        net.slow(B, Slowdown.inbound(50, 50));
        net.crash(B);
        net.restart(B).serve(echo);

        assertThat(roundTripMillis()).isEqualTo(60);
        assertThat(net.slowNodes()).containsExactly(B);
    }

    @Test
    void slowingAnIdleNodeChangesNothingElseInTheRun() {
        Trace plain = run(false);
        Trace withIdleSlowNode = run(true);

        List<String> lines = new ArrayList<>(withIdleSlowNode.lines());
        assertThat(lines.remove("0.000000 slow z in+out +1..1000 ms")).isTrue();
        assertThat(lines).as("no message touched z, so none drew a delay").isEqualTo(plain.lines());
    }

    @Test
    void slowdownsAreValidated() {
        assertThatThrownBy(() -> Slowdown.both(-1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Slowdown.both(10, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Slowdown(1, 5, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Slowdown.outbound(1, 5)).hasToString("out +1..5 ms");
    }

    private long roundTripMillis() {
        long start = sim.clock().elapsedMillis();
        CompletableFuture<Message> reply = net.transport(A).request(B, PING, 1_000);
        assertThat(sim.runUntil(reply::isDone, 2_000)).isTrue();
        assertThat(reply).isCompleted();
        return sim.clock().elapsedMillis() - start;
    }

    /** A lossy, duplicating exchange between a and b; z is known to the network but never talks. */
    private static Trace run(boolean slowIdleNode) {
        Simulation sim = new Simulation(3, NetworkConditions.DEFAULT.withDropProbability(0.1)
                .withDuplicateProbability(0.1));
        sim.network().transport(NodeId.of("z"));
        sim.network().transport(B).serve((from, request) -> completedFuture(request));
        if (slowIdleNode) {
            sim.network().slow(NodeId.of("z"), Slowdown.both(1, 1_000));
        }
        for (int i = 0; i < 200; i++) {
            sim.network().transport(A).request(B, PING, 50);
            sim.advance(sim.random().nextInt(5));
        }
        sim.runUntilIdle();
        return sim.trace();
    }
}
