package io.chorus.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistoryTest {

    /** Every read of this clock is a new, larger time: event times must then follow event order strictly. */
    private final Clock ticking = new Clock() {
        private final AtomicLong now = new AtomicLong();

        @Override
        public long nanoTime() {
            return now.addAndGet(1_000);
        }

        @Override
        public long currentTimeMillis() {
            return now.get() / 1_000_000;
        }
    };
    private final History history = new History(ticking);

    @Test
    void recordsOperationsAndAnswersTheCheckersQueries() {
        long put1 = history.invoke("c1", OpType.PUT, bytes("k1"), bytes("v1"), null);
        long put2 = history.invoke("c2", OpType.PUT, bytes("k2"), bytes("v2"), bytes("ctx"));
        long put3 = history.invoke("c3", OpType.PUT, bytes("k1"), bytes("v3"), null);
        long get = history.invoke("c1", OpType.GET, bytes("k1"), null, null);
        long delete = history.invoke("c2", OpType.DELETE, bytes("k2"), null, null);
        history.ok(put1);
        history.fail(put2, "QUORUM_NOT_MET");
        history.info(put3, "TIMEOUT");
        history.ok(get, List.of(bytes("v1"), bytes("v3")), bytes("ctx2"));

        assertThat(history.acknowledgedPuts()).extracting(Operation::id).containsExactly(put1);
        assertThat(history.acknowledged(OpType.GET)).extracting(Operation::id).containsExactly(get);
        assertThat(history.indeterminate()).extracting(Operation::id).containsExactly(put3);
        assertThat(history.withStatus(Operation.Status.PENDING)).extracting(Operation::id).containsExactly(delete);
        assertThat(history.forKey(bytes("k1"))).extracting(Operation::id).containsExactly(put1, put3, get);
        assertThat(history.select(Operation::mayHaveTakenEffect)).extracting(Operation::id)
                .containsExactly(put1, put3, get, delete);

        Operation read = history.operation(get);
        assertThat(read.results()).containsExactly(Bytes.utf8("v1"), Bytes.utf8("v3"));
        assertThat(read.resultContext()).isEqualTo(Bytes.utf8("ctx2"));
        assertThat(read.value()).isEmpty();
        assertThat(history.operation(put2).context()).isEqualTo(Bytes.utf8("ctx"));
        assertThat(history.operation(put2).error()).contains("QUORUM_NOT_MET");
        assertThat(history.operation(put1).value()).contains(Bytes.utf8("v1"));
        assertThat(history.operation(delete).completedNanos()).isEqualTo(Long.MAX_VALUE);

        assertThat(history.events()).extracting(HistoryEvent::opId, HistoryEvent::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple(put1, HistoryEvent.Kind.INVOKE),
                org.assertj.core.groups.Tuple.tuple(put2, HistoryEvent.Kind.INVOKE),
                org.assertj.core.groups.Tuple.tuple(put3, HistoryEvent.Kind.INVOKE),
                org.assertj.core.groups.Tuple.tuple(get, HistoryEvent.Kind.INVOKE),
                org.assertj.core.groups.Tuple.tuple(delete, HistoryEvent.Kind.INVOKE),
                org.assertj.core.groups.Tuple.tuple(put1, HistoryEvent.Kind.OK),
                org.assertj.core.groups.Tuple.tuple(put2, HistoryEvent.Kind.FAIL),
                org.assertj.core.groups.Tuple.tuple(put3, HistoryEvent.Kind.INFO),
                org.assertj.core.groups.Tuple.tuple(get, HistoryEvent.Kind.OK));
        assertThat(history.operation(put1).invokedNanos()).isEqualTo(history.events().get(0).timeNanos());
        assertThat(history.operation(put1).completedNanos()).isEqualTo(history.events().get(5).timeNanos());
    }

    @Test
    void recordedBytesAreCopies() {
        byte[] key = bytes("k");
        byte[] value = bytes("v");
        long op = history.invoke("c", OpType.PUT, key, value, null);
        key[0] = 'x';
        value[0] = 'x';

        assertThat(history.operation(op).key()).isEqualTo(Bytes.utf8("k"));
        assertThat(history.operation(op).value()).isEqualTo(Optional.of(Bytes.utf8("v")));
    }

    @Test
    void misuseFailsLoudly() {
        long op = history.invoke("c", OpType.GET, bytes("k"), null, null);
        history.ok(op);

        assertThatThrownBy(() -> history.info(op, "late")).hasMessageContaining("already completed as OK");
        assertThatThrownBy(() -> history.ok(99)).hasMessageContaining("no operation 99");
        assertThatThrownBy(() -> history.invoke("c", OpType.PUT, bytes("k"), null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.invoke("c", OpType.DELETE, bytes("k"), bytes("v"), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(history.size()).isEqualTo(1);
    }

    @Test
    void concurrentClientsRecordAConsistentHistory() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String client = "client-" + t;
                clients.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long op = history.invoke(client, OpType.PUT, bytes(client), bytes(client + "/" + i), null);
                        switch (i % 3) {
                            case 0 -> history.ok(op);
                            case 1 -> history.fail(op, "no");
                            default -> history.info(op, "maybe");
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> client : clients) {
                client.get();
            }
        } finally {
            pool.shutdown();
        }

        List<HistoryEvent> events = history.events();
        assertThat(history.size()).isEqualTo(threads * perThread);
        assertThat(events).hasSize(2 * threads * perThread);
        Map<Long, Long> invokedAt = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            HistoryEvent e = events.get(i);
            assertThat(e.index()).isEqualTo(i);
            if (i > 0) {
                assertThat(e.timeNanos()).isGreaterThan(events.get(i - 1).timeNanos());
            }
            if (e.kind() == HistoryEvent.Kind.INVOKE) {
                assertThat(invokedAt.put(e.opId(), e.timeNanos())).as("invoked once").isNull();
            } else {
                assertThat(invokedAt).as("completed after its invocation").containsKey(e.opId());
            }
        }
        for (Operation op : history.operations()) {
            assertThat(op.key()).isEqualTo(Bytes.utf8(op.client()));
            int i = Integer.parseInt(new String(op.value().orElseThrow().toArray(), UTF_8).split("/")[1]);
            assertThat(op.status()).isEqualTo(switch (i % 3) {
                case 0 -> Operation.Status.OK;
                case 1 -> Operation.Status.FAIL;
                default -> Operation.Status.INFO;
            });
            assertThat(op.completedNanos()).isGreaterThan(op.invokedNanos());
        }
        assertThat(history.acknowledgedPuts()).hasSize(threads * ((perThread + 2) / 3));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
