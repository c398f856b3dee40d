package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.ring.Ring;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import io.chorus.storage.LmdbStorageEngine;
import io.chorus.storage.StorageConfig;
import io.chorus.transport.protocol.MembersResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster as operators run it: every node its own JVM ({@code chorus node --config FILE}), started from config
 * files that name only seeds. Three form a cluster, a client writes all along, a fourth joins, one is killed
 * (SIGKILL) and restarted; once hints and repairs are done, the nodes are stopped and their stores opened here: every
 * acknowledged write is on each of its replicas. Every process is killed by its pid in a finally block.
 */
class ProcessClusterTest {

    private static final int NODES = 4;

    @TempDir
    Path dir;
    private final int[] ports = new int[NODES];
    private final Process[] processes = new Process[NODES];

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private String name(int i) {
        return "p" + (i + 1);
    }

    private Path config(int i) throws IOException {
        Path file = dir.resolve(name(i) + ".yaml");
        Files.writeString(file, "cluster_name: process-test\nnode_name: " + name(i) + "\n"
                + "data_dir: '" + dir.resolve(name(i)) + "'\n"
                + "client_listen: 127.0.0.1:" + ports[i] + "\n"
                + "seeds: [127.0.0.1:" + ports[0] + ", 127.0.0.1:" + ports[1] + ", 127.0.0.1:" + ports[2] + "]\n"
                + "partitions: 64\ndurability: nosync\n"
                + "gossip:\n  interval: 500ms\n  pause_threshold: 1s\n"
                + "membership:\n  settle: 1s\nauth:\n  anonymous: true\n");
        return file;
    }

    private void launch(int i) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "node",
                "--config", config(i).toString());
        processes[i] = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name(i) + ".out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(name(i) + ".err").toFile())).start();
    }

    private InetSocketAddress address(int i) {
        return new InetSocketAddress("127.0.0.1", ports[i]);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether node {@code i} answers and holds a settled ring of {@code members} nodes. */
    private boolean settled(ChorusClient admin, int i, int members) {
        try {
            RingState r = RingStateCodec.decode(admin.ringAsync(address(i)).get(5, TimeUnit.SECONDS));
            return r.settled() && r.to().size() == members;
        } catch (Exception e) {
            return false;
        }
    }

    private String logs() throws IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < NODES; i++) {
            Path err = dir.resolve(name(i) + ".err");
            if (Files.exists(err)) {
                String text = Files.readString(err);
                out.append("\n--- ").append(name(i)).append(" stderr (tail)\n")
                        .append(text.substring(Math.max(0, text.length() - 3000)));
            }
        }
        return out.toString();
    }

    @Test
    void processesFormAClusterFromSeedsGrowSurviveAKillAndLoseNoAcknowledgedWrite() throws Exception {
        for (int i = 0; i < NODES; i++) {
            ports[i] = freePort();
        }
        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = null;
        try {
            for (int i = 0; i < 3; i++) {
                launch(i);
            }
            List<InetSocketAddress> seeds = List.of(address(0), address(1), address(2));
            ChorusClient admin = connectWhenUp();
            try (admin) {
                awaitOrExplain(() -> settled(admin, 0, 3) && settled(admin, 1, 3) && settled(admin, 2, 3),
                        Duration.ofSeconds(120), "three processes form a cluster");
                ChorusClient client = ChorusClient.connect(ClientConfig.builder(seeds).requestTimeoutMillis(3_000)
                        .build());
                writer = new Thread(() -> {
                    for (int k = 0; writing.get(); k++) {
                        try {
                            client.put(b("key-" + k), b("value-" + k), null);
                            acked.put("key-" + k, "value-" + k);
                        } catch (RuntimeException e) {
                            // not acknowledged
                        }
                    }
                    client.close();
                }, "process-test-writer");
                writer.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 300);

                launch(3);
                awaitOrExplain(() -> settled(admin, 0, 4) && settled(admin, 3, 4), Duration.ofSeconds(180),
                        "a fourth process joins");
                int afterJoin = acked.size();
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterJoin + 200);

                processes[1].destroyForcibly(); // kill -9
                assertThat(processes[1].waitFor(30, TimeUnit.SECONDS)).isTrue();
                int afterKill = acked.size();
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterKill + 200);
                launch(1);
                awaitOrExplain(() -> alive(admin, 0, NodeId.of(name(1))) && settled(admin, 1, 4),
                        Duration.ofSeconds(120), "the killed process comes back");
                int afterRestart = acked.size();
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterRestart + 100);
                writing.set(false);
                writer.join(30_000);

                // Hints delivered, then every partition repaired on every node.
                awaitOrExplain(() -> hintsDone(admin), Duration.ofSeconds(120), "hints delivered");
                for (int i = 0; i < NODES; i++) {
                    admin.repairAsync(address(i), OptionalInt.empty()).get(300, TimeUnit.SECONDS);
                }
            }
            for (Process p : processes) {
                p.destroy(); // SIGTERM: a clean stop
            }
            for (Process p : processes) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            writing.set(false);
            for (Process p : processes) {
                if (p != null) {
                    ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        checkReplicas(acked);
    }

    private boolean alive(ChorusClient admin, int i, NodeId node) {
        try {
            MembersResponse m = admin.membersAsync(address(i)).get(5, TimeUnit.SECONDS);
            return m.members().stream().anyMatch(x -> x.id().equals(node) && x.alive()
                    && x.status() == MembersResponse.Status.UP);
        } catch (Exception e) {
            return false;
        }
    }

    /** A client of the first node once it answers (a JVM takes seconds to start). */
    private ChorusClient connectWhenUp() throws IOException {
        ChorusClient[] client = new ChorusClient[1];
        awaitOrExplain(() -> {
            try {
                client[0] = ChorusClient.connect(ClientConfig.builder(List.of(address(0))).build());
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }, Duration.ofSeconds(120), "the first process answers");
        return client[0];
    }

    private boolean hintsDone(ChorusClient admin) {
        try {
            for (int i = 0; i < NODES; i++) {
                Map<String, Long> s = admin.statsAsync(address(i)).get(5, TimeUnit.SECONDS);
                if (s.get("coordinator.hints_stored") > s.get("coordinator.hints_delivered")
                        + s.get("coordinator.hints_dropped")) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void awaitOrExplain(java.util.concurrent.Callable<Boolean> condition, Duration within, String what)
            throws IOException {
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(500)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + ": not within " + within + logs(), e);
        }
    }

    /** Opens each stopped node's store and looks up every acknowledged key on each of its replicas. */
    private void checkReplicas(Map<String, String> acked) throws IOException {
        RingState state = RingStateCodec.decode(Files.readAllBytes(dir.resolve(name(0)).resolve(
                NodeMembership.RING_FILE)));
        assertThat(state.settled()).isTrue();
        Ring ring = state.to();
        assertThat(ring.size()).isEqualTo(NODES);
        Map<NodeId, LmdbStorageEngine> stores = new HashMap<>();
        int missing = 0;
        List<String> examples = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                stores.put(NodeId.of(name(i)), LmdbStorageEngine.open(StorageConfig.builder(dir.resolve(name(i)))
                        .build()));
            }
            for (Map.Entry<String, String> e : acked.entrySet()) {
                byte[] key = b(e.getKey());
                int p = ring.partitionOf(key);
                for (NodeId replica : ring.preferenceList(p, 3)) {
                    SiblingSet s = stores.get(replica).get(p, key);
                    boolean has = s.liveSiblings().stream()
                            .anyMatch(x -> new String(x.value(), StandardCharsets.UTF_8).equals(e.getValue()));
                    if (!has) {
                        missing++;
                        if (examples.size() < 5) {
                            examples.add(e.getKey() + " on " + replica);
                        }
                    }
                }
            }
        } finally {
            stores.values().forEach(LmdbStorageEngine::close);
        }
        assertThat(acked.size()).isGreaterThan(800);
        assertThat(missing).as("acknowledged writes missing from a replica (of %d), e.g. %s", acked.size(),
                examples).isZero();
    }
}
