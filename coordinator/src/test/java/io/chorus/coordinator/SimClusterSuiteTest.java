package io.chorus.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.coordinator.suite.ClusterSuite;
import io.chorus.coordinator.suite.ClusterUnderTest;
import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/** The shared cluster suite on the deterministic simulation; a failure prints its seed. */
@Tag(SimulationSeeds.TAG)
class SimClusterSuiteTest extends ClusterSuite {

    /**
     * Like every simulation test's: {@code -Dchorus.seed=<n>} replays, {@code random} explores,
     * {@code -Dchorus.seedBase} moves it.
     */
    private final long seed = SimulationSeeds.seedFor("SimClusterSuiteTest");

    @RegisterExtension
    final TestWatcher seedReporter = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            System.err.println(SimulationSeeds.replayLine(seed,
                    "SimClusterSuiteTest#" + context.getRequiredTestMethod().getName()));
        }
    };

    @Override
    protected ClusterUnderTest cluster(int size) {
        SimCluster sim = new SimCluster(new Simulation(seed), size, CoordinatorConfig.defaults());
        return new ClusterUnderTest() {
            @Override
            public NodeId id(int index) {
                return sim.id(index);
            }

            @Override
            public List<NodeId> replicas(byte[] key, int n) {
                return sim.replicas(key, n);
            }

            @Override
            public CompletableFuture<SiblingSet> get(NodeId via, byte[] key, QuorumOptions options) {
                return sim.coordinator(via).get(key, options);
            }

            @Override
            public CompletableFuture<SiblingSet> put(NodeId via, byte[] key, VersionVector context, byte[] value,
                    QuorumOptions options) {
                return sim.coordinator(via).put(key, context, value, options);
            }

            @Override
            public CompletableFuture<SiblingSet> delete(NodeId via, byte[] key, VersionVector context,
                    QuorumOptions options) {
                return sim.coordinator(via).delete(key, context, options);
            }

            @Override
            public SiblingSet stored(NodeId node, byte[] key) {
                return sim.stored(node, key);
            }

            @Override
            public long hintsHeld() {
                return sim.totalHints();
            }

            @Override
            public void stop(NodeId node) {
                sim.crash(node);
            }

            @Override
            public void restart(NodeId node) {
                sim.restart(node);
            }

            @Override
            public <T> T await(CompletableFuture<T> f) {
                return sim.await(f);
            }

            @Override
            public void awaitCondition(String what, BooleanSupplier condition, long millis) {
                assertThat(sim.sim.runUntil(condition, millis)).as("%s within %d ms (seed %d)", what, millis, seed)
                        .isTrue();
            }

            @Override
            public void close() {
                for (NodeId id : sim.ids) {
                    if (!sim.isCrashed(id)) {
                        sim.coordinator(id).close();
                    }
                }
            }
        };
    }
}
