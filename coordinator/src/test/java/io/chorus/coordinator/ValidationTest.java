package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.chorus.core.NodeId;
import io.chorus.core.Scheduler;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.ContextLimits;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.Failures;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import io.chorus.storage.MemoryStorageEngine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Impossible quorums and bad keys are refused up front, with BAD_REQUEST (or TOO_LARGE), before any I/O. */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class ValidationTest {

    @Test
    void impossibleQuorumsAreBadRequests(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults());
        Coordinator node = c.coordinator(c.id(0));
        byte[] key = bytes("k");
        assertCode(c, node.get(key, QuorumOptions.of(3, 4, 0)), ErrorCode.BAD_REQUEST);
        assertCode(c, node.get(key, QuorumOptions.of(4, 1, 0)), ErrorCode.BAD_REQUEST);
        assertCode(c, node.put(key, VersionVector.empty(), bytes("v"), QuorumOptions.of(2, 0, 3)),
                ErrorCode.BAD_REQUEST);
        assertCode(c, node.delete(key, VersionVector.empty(), QuorumOptions.of(5, 0, 1)), ErrorCode.BAD_REQUEST);
        assertCode(c, node.get(new byte[0], QuorumOptions.DEFAULT), ErrorCode.BAD_REQUEST);
        assertCode(c, node.get(new byte[510], QuorumOptions.DEFAULT), ErrorCode.TOO_LARGE);
        assertThatThrownBy(() -> QuorumOptions.of(-1, 0, 0))
                .isInstanceOfSatisfying(ChorusException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> QuorumOptions.of(256, 0, 0)).isInstanceOf(ChorusException.class);
        assertThat(c.sim.network().stats().sent()).as("nothing was sent").isZero();
    }

    @Test
    void contextsAndTimeoutsOutsideTheirRangesAreBadRequests(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults());
        NodeId self = c.id(0);
        Coordinator node = c.coordinator(self);
        byte[] key = bytes("bounded");
        ActorId actor = new ActorId(self, c.storage(self).epoch());
        VersionVector beyond = VersionVector.of(Map.of(actor, ContextLimits.MAX_COUNTER + 1));
        assertCode(c, node.put(key, beyond, bytes("v"), QuorumOptions.DEFAULT), ErrorCode.BAD_REQUEST);
        assertCode(c, node.delete(key, VersionVector.of(Map.of(actor, Long.MAX_VALUE)), QuorumOptions.DEFAULT),
                ErrorCode.BAD_REQUEST);
        Map<ActorId, Long> crowd = new HashMap<>();
        for (int i = 0; i <= ContextLimits.MAX_ACTORS; i++) {
            crowd.put(ActorId.of("never-wrote-" + i, 1), 1L);
        }
        assertCode(c, node.put(key, VersionVector.of(crowd), bytes("v"), QuorumOptions.DEFAULT),
                ErrorCode.BAD_REQUEST);
        assertThatThrownBy(() -> QuorumOptions.DEFAULT.withTimeout(QuorumOptions.MAX_TIMEOUT_MILLIS + 1))
                .isInstanceOfSatisfying(ChorusException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(c.stored(self, key).isEmpty()).as("nothing was written").isTrue();

        // At the bound the write goes through, and the key stays writable through this coordinator.
        VersionVector atBound = VersionVector.of(Map.of(actor, ContextLimits.MAX_COUNTER));
        SiblingSet first = c.await(node.put(key, atBound, bytes("v1"), QuorumOptions.DEFAULT));
        assertThat(first.siblings()).singleElement().satisfies(s -> assertThat(s.dot().counter())
                .isEqualTo(ContextLimits.MAX_COUNTER + 1));
        SiblingSet second = c.await(node.put(key, first.context(), bytes("v2"), QuorumOptions.DEFAULT));
        assertThat(SimCluster.liveValues(second)).containsExactly("v2");
    }

    @Test
    void defaultsAreClampedToAnExplicitSmallerN(Simulation sim) {
        SimCluster c = new SimCluster(sim, 3, CoordinatorConfig.defaults());
        Coordinator node = c.coordinator(c.id(0));
        byte[] key = bytes("k");
        // N=1 with the default W=2 and R=2: both are clamped to 1 rather than refused.
        c.await(node.put(key, VersionVector.empty(), bytes("v"), QuorumOptions.of(1, 0, 0)));
        assertThat(SimCluster.liveValues(c.await(node.get(key, QuorumOptions.of(1, 0, 0))))).containsExactly("v");
    }

    @Test
    void aDefaultNAboveTheRingSizeShrinksToTheRing(Simulation sim) {
        SimCluster c = new SimCluster(sim, 2, CoordinatorConfig.defaults());
        c.await(c.coordinator(c.id(0)).put(bytes("k"), io.chorus.core.causal.VersionVector.empty(), bytes("v"),
                QuorumOptions.DEFAULT));
        assertThat(c.sim.runUntil(() -> !c.stored(c.id(0), bytes("k")).isEmpty()
                && !c.stored(c.id(1), bytes("k")).isEmpty(), 5_000)).as("on both nodes of the ring").isTrue();
    }

    @Test
    void anExplicitNAboveTheRingSizeIsRefused(Simulation sim) {
        SimCluster c = new SimCluster(sim, 2, CoordinatorConfig.defaults());
        assertCode(c, c.coordinator(c.id(0)).get(bytes("k"), QuorumOptions.of(3, 0, 0)), ErrorCode.BAD_REQUEST);
    }

    @Test
    void aFaultOfTheNodeIsInternalAndLoggedNotTheClientsBadRequest(Simulation sim) {
        NodeId self = NodeId.of("n1");
        Ring ring = Claim.create(List.of(Member.of(self)), 8);
        Scheduler closed = new Scheduler() {
            @Override
            public void execute(Runnable task) {
                throw new RejectedExecutionException("scheduler closed");
            }

            @Override
            public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
                throw new RejectedExecutionException("scheduler closed");
            }
        };
        Coordinator node = Coordinator.ofFixedRing(self, new ActorId(self, 1), ring, new MemoryStorageEngine(1),
                sim.network().transport(self), new FailureDetectingLiveness(), closed, sim.clock(),
                CoordinatorConfig.defaults().withQuorum(1, 1, 1));
        Logger logger = (Logger) LoggerFactory.getLogger(Coordinator.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        logger.setAdditive(false);
        try {
            ChorusException e = failure(node.get(bytes("k"), QuorumOptions.DEFAULT));
            assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(failure(node.put(bytes("k"), VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT))
                    .code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(logged.list).hasSize(2).allSatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getThrowableProxy().getClassName())
                        .isEqualTo(RejectedExecutionException.class.getName());
            });
            // A missing argument is still the caller's error.
            assertThat(failure(node.get(null, QuorumOptions.DEFAULT)).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(failure(node.put(bytes("k"), null, bytes("v"), QuorumOptions.DEFAULT)).code())
                    .isEqualTo(ErrorCode.BAD_REQUEST);
            // Once the coordinator is closed (the node stopping), a refusing scheduler is expected: UNAVAILABLE,
            // so the client goes to another replica, and nothing logged as a fault.
            logged.list.clear();
            node.close();
            assertThat(failure(node.get(bytes("k"), QuorumOptions.DEFAULT)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(failure(node.put(bytes("k"), VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT))
                    .code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(logged.list).isEmpty();
        } finally {
            logger.detachAppender(logged);
            logger.setAdditive(true);
        }
    }

    private static ChorusException failure(java.util.concurrent.CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        Throwable t = Failures.unwrap(f.handle((v, e) -> e).join());
        assertThat(t).isInstanceOf(ChorusException.class);
        return (ChorusException) t;
    }

    @Test
    void configRejectsImpossibleDefaults() {
        assertThatThrownBy(() -> CoordinatorConfig.defaults().withQuorum(3, 4, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..n");
        assertThatThrownBy(() -> CoordinatorConfig.defaults().withQuorum(0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertCode(SimCluster c, java.util.concurrent.CompletableFuture<?> f, ErrorCode code) {
        Throwable failure = c.awaitFailure(f);
        assertThat(failure).isInstanceOf(ChorusException.class);
        assertThat(((ChorusException) failure).code()).as(failure.getMessage()).isEqualTo(code);
    }
}
