package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.client.ChorusObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash variant of {@code EmbeddedClusterTest}'s whole-cluster restarts: the cluster runs in a process of its
 * own (SYNC, the default), takes writes from many concurrent requests, and is killed with SIGKILL in the middle of
 * them; started again on the same data, it still has every write it acknowledged.
 */
class WholeClusterKillTest {

    private static final int IN_FLIGHT = 32;
    private static final int ACKS_BEFORE_KILL = 300;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKill9OfTheWholeCluster() throws Exception {
        Path data = dir.resolve("data");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try (ChildCluster cluster = ChildCluster.start(3, data, "256m");
             ChorusClient client = ChorusClient.connect(ClientConfig.builder(cluster.addresses()).build())) {
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            for (int i = 0; acknowledged.size() < ACKS_BEFORE_KILL; i++) {
                assertThat(inFlight.tryAcquire(30, TimeUnit.SECONDS)).as("a write completed within 30 s").isTrue();
                String key = "kill-" + i;
                client.putAsync(bytes(key), bytes("value-of-" + key), null).whenComplete((written, failure) -> {
                    if (failure == null) {
                        acknowledged.add(key);
                    }
                    inFlight.release();
                });
            }
            // Writes are still in flight: the kill lands in the middle of group commits.
            cluster.kill();
        }
        List<String> keys = new ArrayList<>(acknowledged);
        try (ChildCluster again = ChildCluster.start(3, data, "256m");
             ChorusClient client = ChorusClient.connect(ClientConfig.builder(again.addresses()).build())) {
            List<CompletableFuture<ChorusObject>> reads = new ArrayList<>();
            for (String key : keys) {
                reads.add(client.getAsync(bytes(key)));
            }
            for (int i = 0; i < keys.size(); i++) {
                assertThat(reads.get(i).get(30, TimeUnit.SECONDS).values()).as(keys.get(i))
                        .containsExactly(bytes("value-of-" + keys.get(i)));
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
