package io.chorus.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.RequestOptions;
import io.chorus.core.error.ChorusException;
import io.chorus.server.ChorusNode;
import io.chorus.server.EmbeddedCluster;
import io.chorus.server.HostPort;
import io.chorus.storage.Durability;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's registry against a real 3-node cluster: each request metric moves when its request happens, as STATS
 * reads it over the wire, and JMX, CSV and Prometheus show the same registry.
 */
class NodeMetricsTest {

    @TempDir
    static Path csv;
    private static EmbeddedCluster cluster;
    private static ChorusClient client;

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16)
                .metrics(MetricsConfig.defaults().withCsv(csv, Duration.ofMillis(100))
                        .withPrometheus(new HostPort("127.0.0.1", 0)))
                .start();
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Long> stats(ChorusNode node) throws Exception {
        return client.statsAsync(node.address()).get(10, TimeUnit.SECONDS);
    }

    /** The sum over the nodes of one STATS entry (absent counts 0). */
    private static long sum(String name) throws Exception {
        long total = 0;
        for (ChorusNode n : cluster.nodes()) {
            total += stats(n).getOrDefault(name, 0L);
        }
        return total;
    }

    private static long max(String name) throws Exception {
        long most = 0;
        for (ChorusNode n : cluster.nodes()) {
            most = Math.max(most, stats(n).getOrDefault(name, 0L));
        }
        return most;
    }

    @Test
    void aPutIsTimedAtItsCoordinatorAndAtEachOtherReplicaAndCommittedInBatches() throws Exception {
        long puts = sum("coordinator.put.count");
        long replicaPuts = sum("replica.put.count");
        long batches = sum("storage.batch_size.count");
        long commits = sum("storage.commit.count");
        client.put(b("timed-put"), b("v"), null);
        assertThat(sum("coordinator.put.count")).isEqualTo(puts + 1);
        // N = 3: the coordinator stores its copy itself and sends the other two; the third may land after W = 2.
        // At least: a read repair left over from another test's read is a REPLICA_PUT too.
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(sum("replica.put.count")).isGreaterThanOrEqualTo(replicaPuts + 2));
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(sum("storage.batch_size.count")).isGreaterThanOrEqualTo(batches + 3);
            assertThat(sum("storage.commit.count")).isGreaterThanOrEqualTo(commits + 3);
        });
        assertThat(max("coordinator.put.max_us")).isPositive();
        assertThat(max("storage.used_bytes")).isPositive();
    }

    @Test
    void aGetIsTimedAndItsSiblingsCounted() throws Exception {
        byte[] key = b("two-siblings");
        client.put(key, b("a"), null);
        client.put(key, b("b"), null);
        long gets = sum("coordinator.get.count");
        long siblingReads = sum("coordinator.siblings.count");
        long replicaGets = sum("replica.get.count");
        assertThat(client.get(key).values()).hasSize(2);
        assertThat(sum("coordinator.get.count")).isEqualTo(gets + 1);
        assertThat(sum("coordinator.siblings.count")).isEqualTo(siblingReads + 1);
        assertThat(max("coordinator.siblings.max")).isGreaterThanOrEqualTo(2);
        // A read asks R = 2 replicas: the coordinator reads its own store and asks one other; a speculative read
        // or a background compare (read_repair_chance) may ask the third too.
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(sum("replica.get.count")).isBetween(replicaGets + 1, replicaGets + 2));
    }

    @Test
    void aRefusedRequestIsCountedUnderTheCodeTheClientGot() throws Exception {
        ChorusException refused = catchThrowableOfType(() -> client.put(b("too-many"), b("v"), null,
                RequestOptions.defaults().withN(5).withW(5)), ChorusException.class);
        assertThat(refused).isNotNull();
        String name = "coordinator.errors." + refused.code().name().toLowerCase(Locale.ROOT);
        long before = sum(name);
        catchThrowableOfType(() -> client.put(b("too-many"), b("v"), null,
                RequestOptions.defaults().withN(5).withW(5)), ChorusException.class);
        assertThat(sum(name)).isEqualTo(before + 1);
        assertThat(client.get(b("too-many")).found()).isFalse();
    }

    @Test
    void gossipRoundsMoveOnTheirOwn() throws Exception {
        long rounds = sum("gossip.rounds");
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(sum("gossip.rounds")).isGreaterThan(rounds));
        assertThat(stats(cluster.node(0)).get("membership.alive")).isEqualTo(3);
    }

    @Test
    void jmxShowsTheSameRegistryUnderTheNodesName() throws Exception {
        client.put(b("jmx"), b("v"), null);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ChorusNode n : cluster.nodes()) {
            ObjectName puts = new ObjectName("io.chorus:node=" + n.id().name() + ",type=timers,name=coordinator.put");
            ObjectName hints = new ObjectName("io.chorus:node=" + n.id().name()
                    + ",type=gauges,name=coordinator.hints_stored");
            long overWire = stats(n).get("coordinator.put.count");
            assertThat((Long) server.getAttribute(puts, "Count")).isEqualTo(overWire);
            assertThat(server.getAttribute(hints, "Value")).isEqualTo(stats(n).get("coordinator.hints_stored"));
        }
    }

    @Test
    void csvFilesAndPrometheusTextShowTheRegistryToo() throws Exception {
        client.put(b("exported"), b("v"), null);
        ChorusNode first = cluster.node(0);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(csv.resolve(first.id().name()).resolve("coordinator.put.csv")).exists());
        assertThat(Files.readAllLines(csv.resolve(first.id().name()).resolve("coordinator.put.csv")).get(0))
                .startsWith("t,count,max,mean");
        int port = first.metrics().prometheusPort();
        assertThat(port).isPositive();
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("coordinator_put").contains("gossip_rounds");
    }
}
