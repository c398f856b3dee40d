package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.QuorumException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToLongBiFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A request whose quorum is still open at its deadline fails with TIMEOUT, whichever timer fires first: the
 * transport's, for a replica that never answers, may run a little ahead of the request's own deadline (Netty's
 * event loop timers are exact, the node's timer wheel ticks every 5 ms, and attempt timeouts are whole ms), and
 * that must not turn the answer into QUORUM_NOT_MET. Modelled here by transports whose timeouts fire 1 ms early.
 */
@Tag(SimulationSeeds.TAG)
class DeadlineClassificationTest {

    private static final long TIMEOUT_MILLIS = 300;

    /** A transport whose timers are not the ones asked for: {@code timeout} maps (target, asked) to what runs. */
    private record OwnTimeouts(Transport delegate, ToLongBiFunction<NodeId, Long> timeout) implements Transport {
        @Override
        public NodeId self() {
            return delegate.self();
        }

        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            return delegate.request(to, request, timeout.applyAsLong(to, timeoutMillis));
        }

        @Override
        public void serve(RequestHandler handler) {
            delegate.serve(handler);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Times out a millisecond before it was asked to. */
    private static Transport earlyByAMillisecond(Transport t) {
        return new OwnTimeouts(t, (to, asked) -> Math.max(1, asked - 1));
    }

    @Test
    void aQuorumStillOpenAtTheDeadlineIsATimeoutEvenWhenAReplicaTimedOutFirst() {
        SimulationSeeds.forEachSeed(20, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), 3, CoordinatorConfig.defaults(),
                    DeadlineClassificationTest::earlyByAMillisecond);
            byte[] key = bytes("deadline");
            List<NodeId> replicas = c.replicas(key, 3);
            NodeId coordinator = replicas.get(0);
            c.sim.network().isolate(replicas.get(2));
            QuorumOptions all = new QuorumOptions(3, 3, 3, TIMEOUT_MILLIS);

            Throwable write = c.awaitFailure(c.coordinator(coordinator).put(key, VersionVector.empty(),
                    bytes("v"), all));
            assertThat(write).isInstanceOfSatisfying(QuorumException.class, e -> {
                assertThat(e.code()).as("write, seed %d", seed).isEqualTo(ErrorCode.TIMEOUT);
                assertThat(e.acks()).isEqualTo(2);
            });
            Throwable read = c.awaitFailure(c.coordinator(coordinator).get(key, all));
            assertThat(read).isInstanceOfSatisfying(QuorumException.class, e -> {
                assertThat(e.code()).as("read, seed %d", seed).isEqualTo(ErrorCode.TIMEOUT);
                assertThat(e.acks()).isEqualTo(2);
            });
        });
    }

    @Test
    void aReplicaTimingOutLongBeforeTheDeadlineIsAFailureNotTheDeadline() {
        SimulationSeeds.forEachSeed(20, seed -> {
            byte[] key = bytes("early");
            NodeId[] slow = new NodeId[1];
            // Requests to the slow node time out after 1 ms, whatever they asked for: a connect that timed out.
            SimCluster c = new SimCluster(new Simulation(seed), 4, CoordinatorConfig.defaults(),
                    t -> new OwnTimeouts(t, (to, asked) -> to.equals(slow[0]) ? 1 : asked));
            List<NodeId> replicas = c.replicas(key, 3);
            // The third replica never answers, and its requests fail long before their deadline.
            slow[0] = replicas.get(2);
            c.sim.network().isolate(replicas.get(2));
            Coordinator coordinator = c.coordinator(replicas.get(0));
            c.await(coordinator.put(key, VersionVector.empty(), bytes("v"), new QuorumOptions(3, 0, 2, 5_000)));
            // R = 2 is still possible after the early TIMEOUT, and reached: the read does not end at 1 ms.
            assertThat(SimCluster.liveValues(c.await(coordinator.get(key, new QuorumOptions(3, 2, 0, 5_000)))))
                    .as("seed %d", seed).containsExactly("v");
            // A write whose replica timed out early still tries the fallback, and reaches W = 3.
            SiblingSet written = c.await(coordinator.put(key, VersionVector.empty(), bytes("w"),
                    new QuorumOptions(3, 0, 3, 5_000)));
            assertThat(written.liveSiblings()).hasSize(2);
        });
    }

    @Test
    void aQuorumMadeImpossibleBeforeTheDeadlineIsStillQuorumNotMet() {
        SimulationSeeds.forEachSeed(20, seed -> {
            SimCluster c = new SimCluster(new Simulation(seed), 3, CoordinatorConfig.defaults(),
                    DeadlineClassificationTest::earlyByAMillisecond);
            byte[] key = bytes("impossible");
            List<NodeId> replicas = c.replicas(key, 3);
            c.damage(replicas.get(2), key);
            // The damaged replica's answer does not decode: a failure long before the 2 s deadline.
            QuorumOptions all = QuorumOptions.of(3, 3, 3);
            assertThat(c.awaitFailure(c.coordinator(replicas.get(0)).get(key, all)))
                    .isInstanceOfSatisfying(QuorumException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.QUORUM_NOT_MET));
        });
    }
}
