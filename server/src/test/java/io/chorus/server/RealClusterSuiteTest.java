package io.chorus.server;

import io.chorus.coordinator.QuorumOptions;
import io.chorus.coordinator.suite.ClusterSuite;
import io.chorus.coordinator.suite.ClusterUnderTest;
import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.storage.Durability;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** The shared cluster suite on real nodes: Netty on loopback, LMDB in a temporary directory. */
class RealClusterSuiteTest extends ClusterSuite {

    @Override
    protected ClusterUnderTest cluster(int size) {
        EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(size).durability(Durability.NOSYNC).start();
        return new ClusterUnderTest() {
            private ChorusNode node(NodeId id) {
                return cluster.node(cluster.ids().indexOf(id));
            }

            @Override
            public NodeId id(int index) {
                return cluster.ids().get(index);
            }

            @Override
            public List<NodeId> replicas(byte[] key, int n) {
                return cluster.node(0).ring().preferenceList(key, n);
            }

            @Override
            public CompletableFuture<SiblingSet> get(NodeId via, byte[] key, QuorumOptions options) {
                return node(via).coordinator().get(key, options);
            }

            @Override
            public CompletableFuture<SiblingSet> put(NodeId via, byte[] key, VersionVector context, byte[] value,
                    QuorumOptions options) {
                return node(via).coordinator().put(key, context, value, options);
            }

            @Override
            public CompletableFuture<SiblingSet> delete(NodeId via, byte[] key, VersionVector context,
                    QuorumOptions options) {
                return node(via).coordinator().delete(key, context, options);
            }

            @Override
            public SiblingSet stored(NodeId id, byte[] key) {
                ChorusNode n = node(id);
                return n.storage().get(n.ring().partitionOf(key), key);
            }

            @Override
            public long hintsHeld() {
                return cluster.nodes().stream().filter(ChorusNode::isRunning)
                        .mapToLong(n -> n.storage().area("hints").count()).sum();
            }

            @Override
            public void stop(NodeId id) {
                node(id).crash();
            }

            @Override
            public void restart(NodeId id) {
                node(id).start();
            }

            @Override
            public <T> T await(CompletableFuture<T> f) {
                try {
                    return f.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new CompletionException(e.getCause());
                } catch (InterruptedException | TimeoutException e) {
                    throw new AssertionError("no answer within 20 s", e);
                }
            }

            @Override
            public void awaitCondition(String what, BooleanSupplier condition, long millis) {
                org.awaitility.Awaitility.await(what).atMost(Duration.ofMillis(millis)).until(condition::getAsBoolean);
            }

            @Override
            public void close() {
                cluster.close();
            }
        };
    }
}
