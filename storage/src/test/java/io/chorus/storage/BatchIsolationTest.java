package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.B;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.failure;
import static io.chorus.storage.TestData.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several writes in one group commit: a bad one fails alone, and writes to one key see each other in order. */
class BatchIsolationTest {

    @TempDir
    Path dir;

    @Test
    void badOpsFailAloneAndTheRestOfTheBatchCommits() throws Exception {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).maxSiblings(2).build())) {
            // Hold the writer inside a first batch so the next writes queue up and form one batch together.
            CountDownLatch inWriter = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<SiblingSet> blocker = engine.update(0, bytes("blocker"), s -> {
                inWriter.countDown();
                awaitLatch(release);
                return s.update(VersionVector.empty(), A, bytes("b"), 1);
            });
            assertThat(inWriter.await(10, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<SiblingSet> good1 = engine.put(1, bytes("k"), blind(A, "one"));
            CompletableFuture<SiblingSet> throwing = engine.update(1, bytes("other"), s -> {
                throw new IllegalStateException("boom");
            });
            CompletableFuture<SiblingSet> good2 = engine.put(1, bytes("k"), blind(B, "two"));
            // Two siblings are stored by now (in this batch), so a client's third concurrent one breaks maxSiblings = 2.
            CompletableFuture<SiblingSet> tooMany = engine.update(1, bytes("k"),
                    s -> s.update(VersionVector.empty(), TestData.C, bytes("three"), 1));
            CompletableFuture<SiblingSet> tooLargeKey = engine.put(1, new byte[600], blind(A, "x"));
            CompletableFuture<SiblingSet> good3 = engine.update(1, bytes("seen"), s -> blind(A, "after-bad"));
            long batchesBefore = engine.stats().batchesCommitted();
            release.countDown();

            assertThat(values(await(good1))).containsExactly("one");
            assertThat(values(await(good2))).as("second write saw the first in the same batch")
                    .containsExactly("one", "two");
            assertThat(values(await(good3))).containsExactly("after-bad");
            assertThat(failure(throwing)).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(failure(tooMany)).isInstanceOfSatisfying(LimitExceededException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_SIBLINGS));
            assertThat(failure(tooLargeKey)).isInstanceOfSatisfying(LimitExceededException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
            await(blocker);

            assertThat(values(engine.get(1, bytes("k")))).containsExactly("one", "two");
            assertThat(engine.get(1, bytes("other")).isEmpty()).isTrue();
            // The blocked batch plus exactly one more for the five queued writes.
            assertThat(engine.stats().batchesCommitted()).isEqualTo(batchesBefore + 2);
        }
    }

    @Test
    void updateFunctionReturningNullFailsOnlyThatWrite() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            assertThat(failure(engine.update(1, bytes("k"), s -> null))).isInstanceOf(NullPointerException.class);
            assertThat(values(await(engine.put(1, bytes("k"), blind(A, "v"))))).containsExactly("v");
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test latch timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
