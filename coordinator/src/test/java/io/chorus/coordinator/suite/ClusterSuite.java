package io.chorus.coordinator.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.NodeId;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster scenarios that must hold on the simulated network and on real nodes alike. Subclasses supply the
 * cluster; the coordinator module runs the suite on the simulation, the server module on an EmbeddedCluster.
 */
public abstract class ClusterSuite {

    /** A fresh cluster of {@code size} nodes, N/R/W defaults 3/2/2. */
    protected abstract ClusterUnderTest cluster(int size);

    protected static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static List<String> live(SiblingSet set) {
        return set.liveSiblings().stream().map(Sibling::value).map(v -> new String(v, StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void putGetAndDeleteAtSeveralQuorums() {
        try (ClusterUnderTest c = cluster(3)) {
            int k = 0;
            for (QuorumOptions q : List.of(QuorumOptions.DEFAULT, QuorumOptions.of(3, 3, 3),
                    QuorumOptions.of(3, 1, 1), QuorumOptions.of(1, 1, 1))) {
                byte[] key = b("suite-" + k++);
                NodeId via = c.replicas(key, 1).get(0);
                SiblingSet first = c.await(c.put(via, key, VersionVector.empty(), b("v1"), q));
                assertThat(live(c.await(c.get(via, key, q)))).as("%s", q).containsExactly("v1");
                SiblingSet second = c.await(c.put(via, key, first.context(), b("v2"), q));
                assertThat(live(second)).containsExactly("v2");
                c.await(c.delete(via, key, second.context(), q));
                assertThat(c.await(c.get(via, key, q)).isDeleted()).as("deleted at %s", q).isTrue();
            }
        }
    }

    @Test
    void concurrentWritesFromOneContextSurviveAsSiblingsUntilAMergedWrite() {
        try (ClusterUnderTest c = cluster(3)) {
            byte[] key = b("suite-shared");
            List<NodeId> replicas = c.replicas(key, 3);
            QuorumOptions all = QuorumOptions.of(3, 3, 3);
            SiblingSet base = c.await(c.put(replicas.get(0), key, VersionVector.empty(), b("base"), all));
            c.await(c.put(replicas.get(0), key, base.context(), b("x"), all));
            c.await(c.put(replicas.get(1), key, base.context(), b("y"), all));
            SiblingSet read = c.await(c.get(replicas.get(2), key, all));
            assertThat(live(read)).containsExactlyInAnyOrder("x", "y");
            c.await(c.put(replicas.get(2), key, read.context(), b("xy"), all));
            assertThat(live(c.await(c.get(replicas.get(0), key, all)))).containsExactly("xy");
        }
    }

    @Test
    void aStaleReplicaIsRepairedByARead() {
        try (ClusterUnderTest c = cluster(3)) {
            byte[] key = b("suite-repair");
            List<NodeId> replicas = c.replicas(key, 3);
            SiblingSet old = c.await(c.put(replicas.get(0), key, VersionVector.empty(), b("old"),
                    QuorumOptions.of(3, 3, 3)));
            c.stop(replicas.get(2));
            // Three nodes, N = 3: no fallback exists, so the stopped replica misses this write entirely.
            c.await(c.put(replicas.get(0), key, old.context(), b("new"), QuorumOptions.of(3, 2, 2)));
            c.restart(replicas.get(2));
            assertThat(live(c.stored(replicas.get(2), key))).containsExactly("old");

            assertThat(live(c.await(c.get(replicas.get(0), key, QuorumOptions.of(3, 3, 2))))).containsExactly("new");
            c.awaitCondition("read repair reaches the stale replica",
                    () -> live(c.stored(replicas.get(2), key)).equals(List.of("new")), 10_000);
        }
    }

    @Test
    void aDownReplicaGetsItsWriteByHintedHandoff() {
        try (ClusterUnderTest c = cluster(4)) {
            byte[] key = b("suite-hinted");
            List<NodeId> replicas = c.replicas(key, 3);
            c.stop(replicas.get(2));
            SiblingSet written = c.await(c.put(replicas.get(0), key, VersionVector.empty(), b("while-down"),
                    QuorumOptions.of(3, 2, 2)));
            assertThat(live(written)).containsExactly("while-down");
            c.awaitCondition("a fallback holds a hint for the down replica", () -> c.hintsHeld() > 0, 10_000);

            c.restart(replicas.get(2));
            c.awaitCondition("the hint is delivered and deleted", () -> c.hintsHeld() == 0
                    && live(c.stored(replicas.get(2), key)).equals(List.of("while-down")), 30_000);
        }
    }
}
