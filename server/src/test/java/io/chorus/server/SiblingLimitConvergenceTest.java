package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.coordinator.QuorumOptions;
import io.chorus.core.NodeId;
import io.chorus.core.causal.Dot;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.storage.Durability;
import io.chorus.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sides of a key's replicas each take blind writes within the sibling limit (100) while apart: 60 through one
 * primary while it is cut off, 60 through another while the first is down (held for it as hints on a fallback).
 * Healed, their union has 120 siblings. The limit is for a client's write at its coordinator; merges of replica
 * states (hint replay, read repair) are always stored, so the replicas converge and every acknowledged write ends
 * up on all of them. Before, the 41st hint was refused (60 + 41 > 100), blocking that owner's later hints for
 * every key, and read repair could never make the replicas agree.
 */
class SiblingLimitConvergenceTest {

    private static final int PER_SIDE = 60;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static SiblingSet stored(ChorusNode node, byte[] key) {
        StorageEngine storage = node.storage();
        return storage.get(node.ring().partitionOf(key), key);
    }

    private static Set<Dot> dots(SiblingSet set) {
        Set<Dot> dots = new HashSet<>();
        for (Sibling s : set.siblings()) {
            dots.add(s.dot());
        }
        return dots;
    }

    @Test
    void replicasFilledApartPastTheSiblingLimitStillMergeAndConverge(@TempDir Path dir) throws Exception {
        try (EmbeddedCluster c = EmbeddedCluster.builder().nodes(4).dataDir(dir).durability(Durability.NOSYNC)
                .coordinator(CoordinatorConfig.defaults().withTimeouts(1000, 300).withHintReplay(100, 100))
                .start()) {
            byte[] key = b("crowded");
            List<NodeId> walk = c.node(0).ring().walk(c.node(0).ring().partitionOf(key));
            int p1 = c.ids().indexOf(walk.get(0));
            int p2 = c.ids().indexOf(walk.get(1));
            int p3 = c.ids().indexOf(walk.get(2));
            int fallback = c.ids().indexOf(walk.get(3));
            // Another key of the same replicas: its hint for p1 queues behind the crowded key's.
            byte[] other = null;
            for (int i = 0; other == null; i++) {
                byte[] candidate = b("behind-" + i);
                if (c.node(0).ring().walk(c.node(0).ring().partitionOf(candidate)).equals(walk)) {
                    other = candidate;
                }
            }
            Set<Dot> acknowledged = new HashSet<>();

            c.crash(p1);
            for (int i = 0; i < PER_SIDE; i++) {
                acknowledged.addAll(dots(c.node(p2).coordinator().put(key, VersionVector.empty(), b("b" + i),
                        QuorumOptions.of(3, 0, 3)).get(10, TimeUnit.SECONDS)));
            }
            SiblingSet otherWritten = c.node(p2).coordinator().put(other, VersionVector.empty(), b("other"),
                    QuorumOptions.of(3, 0, 3)).get(10, TimeUnit.SECONDS);
            assertThat(c.node(fallback).storage().area("hints").count()).isEqualTo(PER_SIDE + 1);

            c.crash(p2);
            c.crash(p3);
            c.crash(fallback);
            c.restart(p1);
            for (int i = 0; i < PER_SIDE; i++) {
                acknowledged.addAll(dots(c.node(p1).coordinator().put(key, VersionVector.empty(), b("a" + i),
                        QuorumOptions.of(3, 0, 1)).get(10, TimeUnit.SECONDS)));
            }
            assertThat(acknowledged).hasSize(2 * PER_SIDE);
            c.restart(p2);
            c.restart(p3);
            c.restart(fallback);

            await("every hint delivered").atMost(Duration.ofSeconds(30))
                    .until(() -> c.node(fallback).storage().area("hints").count() == 0);
            assertThat(stored(c.node(p1), other)).as("the hint queued behind the crowded key's")
                    .isEqualTo(otherWritten);
            assertThat(dots(stored(c.node(p1), key))).containsAll(acknowledged);

            // An R = N read merges all three and repairs p3, which missed p1's side.
            SiblingSet read = c.node(p1).coordinator().get(key, QuorumOptions.of(3, 3, 0)).get(10, TimeUnit.SECONDS);
            assertThat(dots(read)).containsAll(acknowledged);
            await("the replicas converge").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int replica : new int[] {p1, p2, p3}) {
                    assertThat(stored(c.node(replica), key)).as("on %s", c.ids().get(replica)).isEqualTo(read);
                }
            });
            long overLimit = c.nodes().stream().mapToLong(n -> n.storage().stats().mergesOverLimit()).sum();
            assertThat(overLimit).as("merges stored over the limit are counted").isPositive();
        }
    }
}
