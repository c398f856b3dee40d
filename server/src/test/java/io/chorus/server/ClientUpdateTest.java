package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.storage.Durability;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ChorusClient#update}: read-modify-write with the read's context, against a real 3-node cluster. */
class ClientUpdateTest {

    private static EmbeddedCluster cluster;
    private static ChorusClient client;

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16).start();
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

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void oneWriterUpdatingInSequenceNeverMakesSiblingsWhereBlindWritesDo() {
        byte[] key = b("counter");
        for (int i = 1; i <= 30; i++) {
            ChorusObject after = client.update(key, o -> b(String.valueOf(o.found() ? Integer.parseInt(s(o.value()))
                    + 1 : 1)));
            assertThat(after.hasConflict()).as("after update %d", i).isFalse();
        }
        assertThat(s(client.get(key).value())).isEqualTo("30");

        byte[] blind = b("blind");
        for (int i = 0; i < 5; i++) {
            client.put(blind, b("v" + i), null);
        }
        assertThat(client.get(blind).values()).as("every blind write is a sibling").hasSize(5);
        // update resolves them into one.
        ChorusObject resolved = client.update(blind, o -> b("one of " + o.values().size()));
        assertThat(resolved.values()).extracting(ClientUpdateTest::s).containsExactly("one of 5");
    }

    @Test
    void lastWriteWinsIsOptInPerRequestOrAsTheClientsDefault() {
        byte[] key = b("lww");
        io.chorus.client.RequestOptions lww = io.chorus.client.RequestOptions.defaults().withLastWriteWins(true);
        client.put(key, b("a"), null);
        client.put(key, b("b"), null);
        assertThat(client.get(key).values()).as("siblings by default").hasSize(2);
        ChorusObject replaced = client.put(key, b("c"), null, lww);
        assertThat(replaced.values()).extracting(ClientUpdateTest::s).containsExactly("c");
        try (ChorusClient lwwClient = ChorusClient.connect(io.chorus.client.ClientConfig.builder(cluster.addresses())
                .lastWriteWins(true).build())) {
            lwwClient.put(key, b("d"), null);
            lwwClient.put(key, b("e"), null);
            assertThat(lwwClient.get(key).values()).extracting(ClientUpdateTest::s).containsExactly("e");
        }
    }

    @Test
    void aResolverThatReturnsNullWritesNothing() {
        byte[] key = b("untouched");
        client.put(key, b("x"), null);
        ChorusObject before = client.get(key);
        ChorusObject after = client.update(key, o -> null);
        assertThat(after.context()).isEqualTo(before.context());
        assertThat(client.get(key).context()).isEqualTo(before.context());
    }

    @Test
    void concurrentUpdatersLoseNothingTheirResolverSees() throws Exception {
        byte[] key = b("set");
        int writers = 4;
        int each = 20;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    String element = writer + "." + i;
                    // A set: the union of every sibling's elements, plus this writer's new one.
                    client.update(key, o -> {
                        Set<String> union = new TreeSet<>();
                        o.values().forEach(v -> union.addAll(elements(v)));
                        union.add(element);
                        return b(String.join(",", union));
                    });
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        Set<String> all = new TreeSet<>();
        ChorusObject end = client.get(key);
        end.values().forEach(v -> all.addAll(elements(v)));
        // Each update superseded what it read: at most the last concurrent writes remain as siblings (blind
        // writes would have left one per write).
        assertThat(end.values().size()).isLessThanOrEqualTo(writers);
        assertThat(all).as("every element added by some update").hasSize(writers * each);
    }

    private static List<String> elements(byte[] v) {
        String text = s(v);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split(","));
    }
}
