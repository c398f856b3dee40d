package io.chorus.coordinator.suite;

import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A cluster as {@link ClusterSuite} drives it: requests through a chosen node's coordinator, node stops and
 * restarts, and a look at what each replica really stores. Implemented on the deterministic simulation (virtual
 * time, in-memory stores) and on real nodes (Netty on loopback, LMDB), so one suite checks both.
 */
public interface ClusterUnderTest extends AutoCloseable {

    NodeId id(int index);

    /** The key's preference list of {@code n} nodes. */
    List<NodeId> replicas(byte[] key, int n);

    CompletableFuture<SiblingSet> get(NodeId via, byte[] key, QuorumOptions options);

    CompletableFuture<SiblingSet> put(NodeId via, byte[] key, VersionVector context, byte[] value,
            QuorumOptions options);

    CompletableFuture<SiblingSet> delete(NodeId via, byte[] key, VersionVector context, QuorumOptions options);

    /** What {@code node}'s own store holds for {@code key}. */
    SiblingSet stored(NodeId node, byte[] key);

    /** Hint records held by all running nodes. */
    long hintsHeld();

    /** Stops the node as a crash would; its data stays. */
    void stop(NodeId node);

    /** Starts the node again on its data. */
    void restart(NodeId node);

    /** Waits (in virtual or real time) for {@code f} and returns its value, rethrowing its failure. */
    <T> T await(CompletableFuture<T> f);

    /** Waits until {@code condition} holds, failing the test after {@code millis} of (virtual or real) time. */
    void awaitCondition(String what, BooleanSupplier condition, long millis);

    @Override
    void close();
}
