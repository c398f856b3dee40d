package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing: queued writes commit, running reads finish, everything afterwards is refused cleanly. */
class CloseTest {

    @TempDir
    Path dir;

    @Test
    void closeCommitsQueuedWritesThenRefusesWork() {
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build());
        KeyValueArea area = engine.area("a");
        for (int i = 0; i < 500; i++) {
            writes.add(engine.put(1, bytes("k" + i), blind(A, "v" + i)));
        }
        engine.close();

        writes.forEach(TestData::await);
        assertUnavailable(failure(engine.put(1, bytes("late"), blind(A, "x"))));
        assertUnavailable(failure(area.put(bytes("late"), bytes("x"))));
        assertThatThrownBy(() -> engine.get(1, bytes("k0"))).satisfies(CloseTest::assertUnavailable);
        assertThatThrownBy(() -> area.count()).satisfies(CloseTest::assertUnavailable);
        engine.close(); // idempotent

        try (LmdbStorageEngine reopened = LmdbStorageEngine.open(TestData.config(dir).build())) {
            for (int i = 0; i < 500; i++) {
                assertThat(reopened.get(1, bytes("k" + i)).size()).isEqualTo(1);
            }
        }
    }

    @Test
    void closeWhileReadsRunWaitsForThemAndLaterReadsAreRefused() throws Exception {
        LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build());
        await(engine.put(1, bytes("k"), blind(A, "v")));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicLong reads = new AtomicLong();
        try {
            List<Future<Throwable>> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                readers.add(pool.submit(() -> {
                    try {
                        while (true) {
                            assertThat(engine.get(1, bytes("k")).size()).isEqualTo(1);
                            engine.scan(1, (k, v) -> true);
                            reads.incrementAndGet();
                        }
                    } catch (ChorusException e) {
                        return e;
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() > 1000);
            engine.close();
            for (Future<Throwable> f : readers) {
                assertUnavailable(f.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeFromACallbackOnTheWriterThreadDoesNotDeadlock() {
        LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build());
        CompletableFuture<Void> closed = engine.put(1, bytes("k"), blind(A, "v")).thenRun(engine::close);
        TestData.await(closed);
        engine.close(); // waits for the teardown the writer ran
        assertThatThrownBy(() -> engine.get(1, bytes("k"))).satisfies(CloseTest::assertUnavailable);
    }

    private static void assertUnavailable(Throwable t) {
        assertThat(t).isInstanceOfSatisfying(ChorusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }
}
