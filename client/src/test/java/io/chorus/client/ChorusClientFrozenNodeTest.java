package io.chorus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.transport.RemoteException;
import io.chorus.transport.protocol.RepairResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: a node that keeps its connections open but answers nothing (a stopped process), on real Netty. Node 0
 * is the one frozen; the client's seed is node 1, so fetching the ring never touches it. Suspect periods and
 * back-offs run on a manual clock; only the client's waits take real time, and they are short.
 */
class ChorusClientFrozenNodeTest {

    /**
     * The client's wait for a request without a timeout of its own: every stalled request costs this much. Both it
     * and the connect timeout leave room for a cold JVM's first requests on two busy cores.
     */
    private static final long WAIT_MILLIS = 1_000;
    private static final long CONNECT_TIMEOUT_MILLIS = 1_000;
    /** Shorter than the suspect period, so a test can tell the two apart. */
    private static final long BACKOFF_MILLIS = 100;
    private static final long SUSPECT_MILLIS = 1_000;
    /** Far below one wait: a request that took less never waited for the frozen node. */
    private static final long PROMPT_MILLIS = WAIT_MILLIS / 2;

    private final ManualClock clock = new ManualClock();

    private ChorusClient client(FakeCluster cluster) {
        return ChorusClient.connect(ClientConfig.builder(List.of(cluster.address(1)))
                .requestTimeoutMillis(WAIT_MILLIS).connectTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
                .downBackoffMillis(BACKOFF_MILLIS).suspectMillis(SUSPECT_MILLIS).clock(clock).build());
    }

    @Test
    void withOneOfThreeNodesFrozenItsKeysAreServedPromptlyByTheOtherReplicas() {
        try (FakeCluster cluster = FakeCluster.freezable(3, 3); ChorusClient client = client(cluster)) {
            List<byte[]> keys = keysOwnedBy(cluster, 0, 40);
            client.put(keys.get(0), b("warm"), null); // the client now has an open connection to node 0
            cluster.freeze(0);

            // The one request that finds out: a write, sent, so it cannot be resent (it may be applied later).
            assertThatThrownBy(() -> client.put(keys.get(1), b("lost"), null))
                    .satisfies(ChorusClientFrozenNodeTest::isClientTimeout);
            assertThat(client.suspectNodes()).containsExactly(cluster.address(0));

            int othersBefore = servedByOthers(cluster);
            long start = System.nanoTime();
            for (int i = 0; i < keys.size(); i++) {
                client.put(keys.get(i), b("v" + i), null);
                assertThat(client.get(keys.get(i)).values()).extracting(String::new).contains("v" + i);
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(elapsedMillis).as("80 requests for the frozen node's keys; any stall would cost %d ms",
                    WAIT_MILLIS).isLessThan(WAIT_MILLIS);
            assertThat(servedByOthers(cluster) - othersBefore).isEqualTo(2 * keys.size());
        }
    }

    @Test
    void readsInFlightToTheFrozenNodeAreRetriedOnAnotherReplica() {
        try (FakeCluster cluster = FakeCluster.freezable(3, 3); ChorusClient client = client(cluster)) {
            List<byte[]> keys = keysOwnedBy(cluster, 0, 20);
            for (byte[] key : keys) {
                client.put(key, b("value"), null);
            }
            // As replication would have: the other replicas hold what node 0 coordinated.
            cluster.nodes.get(1).data.putAll(cluster.nodes.get(0).data);
            cluster.nodes.get(2).data.putAll(cluster.nodes.get(0).data);
            cluster.freeze(0);

            int othersBefore = servedByOthers(cluster);
            long start = System.nanoTime();
            List<CompletableFuture<ChorusObject>> reads = new ArrayList<>();
            for (byte[] key : keys) {
                reads.add(client.getAsync(key)); // all sent to node 0 before any times out
            }
            for (CompletableFuture<ChorusObject> read : reads) {
                assertThat(read.join().values()).extracting(String::new).containsExactly("value");
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(elapsedMillis).as("each waited for node 0 once, and not again").isBetween(WAIT_MILLIS,
                    2 * WAIT_MILLIS - 1);
            assertThat(servedByOthers(cluster) - othersBefore).isEqualTo(keys.size());
            assertThat(client.suspectNodes()).containsExactly(cluster.address(0));
        }
    }

    @Test
    void aWriteInFlightToTheFrozenNodeFailsWithTimeoutAndTheNextOneGoesElsewhere() {
        try (FakeCluster cluster = FakeCluster.freezable(3, 3); ChorusClient client = client(cluster)) {
            byte[] key = keysOwnedBy(cluster, 0, 1).get(0);
            client.get(key);
            cluster.freeze(0);

            int othersBefore = servedByOthers(cluster);
            assertThatThrownBy(() -> client.put(key, b("first"), null))
                    .satisfies(ChorusClientFrozenNodeTest::isClientTimeout);
            assertThat(servedByOthers(cluster)).as("the write was not resent").isEqualTo(othersBefore);

            long start = System.nanoTime();
            assertThat(client.put(key, b("second"), null).values()).extracting(String::new).containsExactly("second");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(PROMPT_MILLIS);
            assertThat(servedByOthers(cluster)).isEqualTo(othersBefore + 1);

            // Why it must not be resent: the frozen node applies it once it runs again.
            cluster.thaw(0);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> cluster.nodes.get(0).data.containsKey(ByteBuffer.wrap(key)));
            ChorusObject applied = new ChorusObject(key, cluster.nodes.get(0).data.get(ByteBuffer.wrap(key)));
            assertThat(applied.values()).extracting(String::new).containsExactly("first");
        }
    }

    @Test
    void aSuspectNodeIsProbedEachPeriodAndServesAgainOnceItAnswers() {
        try (FakeCluster cluster = FakeCluster.freezable(3, 3); ChorusClient client = client(cluster)) {
            byte[] key = keysOwnedBy(cluster, 0, 1).get(0);
            client.get(key);
            cluster.freeze(0);
            client.get(key); // waits for node 0, which becomes suspect, then reads from another replica

            // Still frozen: each period one probe goes out in the background and gets no answer, while requests
            // stay away. A failed probe drops the connection, so a later one reconnects (the proxy sees it).
            AtomicLong slowest = new AtomicLong();
            int acceptedBefore = cluster.proxy(0).accepted();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                clock.advanceMillis(SUSPECT_MILLIS);
                timed(slowest, () -> client.get(key));
                return cluster.proxy(0).accepted() > acceptedBefore;
            });
            assertThat(slowest.get()).as("no request waited for the frozen node").isLessThan(PROMPT_MILLIS);
            assertThat(client.suspectNodes()).containsExactly(cluster.address(0));

            cluster.thaw(0);
            int servedBefore = cluster.nodes.get(0).served.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                clock.advanceMillis(SUSPECT_MILLIS);
                timed(slowest, () -> client.get(key));
                return cluster.nodes.get(0).served.get() > servedBefore;
            });
            assertThat(client.suspectNodes()).isEmpty();
            assertThat(slowest.get()).isLessThan(PROMPT_MILLIS);
        }
    }

    @Test
    void aNodeFrozenBeforeTheClientConnectedCostsOneConnectAttemptNotOnePerBackoff() {
        try (FakeCluster cluster = FakeCluster.freezable(3, 3); ChorusClient client = client(cluster)) {
            List<byte[]> keys = keysOwnedBy(cluster, 0, 10);
            cluster.freeze(0); // the client has never connected to node 0: its HELLO will get no answer

            client.put(keys.get(0), b("v"), null); // waits for the HELLO, then goes to the next replica
            assertThat(client.suspectNodes()).containsExactly(cluster.address(0));

            clock.advanceMillis(2 * BACKOFF_MILLIS); // the connection back-off is over, the suspect period is not
            AtomicLong slowest = new AtomicLong();
            for (byte[] key : keys) {
                timed(slowest, () -> client.put(key, b("v"), null));
            }
            assertThat(slowest.get()).as("no request waited for another HELLO").isLessThan(CONNECT_TIMEOUT_MILLIS);
        }
    }

    /** A repair is expected to take long: its wait running out says nothing about the node's key requests. */
    @Test
    void aRepairThatOutlastsItsWaitLeavesTheNodeUnsuspected() {
        try (FakeCluster cluster = FakeCluster.freezable(3, 3); ChorusClient client = client(cluster)) {
            assertThat(client.repairAsync(cluster.address(0), OptionalInt.of(7)).join())
                    .isEqualTo(FakeNode.REPAIRED); // and the client now has an open connection to node 0
            cluster.freeze(0);
            CompletableFuture<RepairResponse> repair = client.repairAsync(cluster.address(0), OptionalInt.empty(),
                    WAIT_MILLIS / 4);
            assertThatThrownBy(repair::join).cause().satisfies(ChorusClientFrozenNodeTest::isClientTimeout);
            assertThat(client.suspectNodes()).isEmpty();

            cluster.thaw(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.nodes.get(0).repairs.size() == 2);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static void isClientTimeout(Throwable t) {
        assertThat(t).as("the client's own timeout, not a node's answer").isInstanceOf(ChorusException.class)
                .isNotInstanceOf(RemoteException.class);
        assertThat(((ChorusException) t).code()).isEqualTo(ErrorCode.TIMEOUT);
    }

    private static void timed(AtomicLong slowestMillis, Runnable request) {
        long start = System.nanoTime();
        request.run();
        slowestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
    }

    /** Keys whose preference list starts with node {@code index}: the client sends them there first. */
    private static List<byte[]> keysOwnedBy(FakeCluster cluster, int index, int count) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            byte[] key = b("key-" + i);
            if (cluster.ring.preferenceList(key, 1).get(0).equals(cluster.nodes.get(index).id)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static int servedByOthers(FakeCluster cluster) {
        return cluster.nodes.get(1).served.get() + cluster.nodes.get(2).served.get();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
