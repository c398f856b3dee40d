package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.string;
import static io.chorus.storage.TestData.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads writing at once: nothing acknowledged is lost, dots never repeat, commits are shared. */
class ConcurrentWritersTest {

    private static final int THREADS = 16;
    private static final int KEYS_PER_THREAD = 160;
    private static final int SHARED_UPDATES_PER_THREAD = 20;

    @TempDir
    Path dir;

    @Test
    void concurrentPutsAndUpdatesLoseNothing() throws Exception {
        ActorId coordinator = ActorId.of("coordinator", 7);
        // SYNC: each commit waits for its fsync, which is what makes writes pile up into shared batches.
        StorageConfig config = TestData.config(dir).durability(Durability.SYNC)
                .maxSiblings(THREADS * SHARED_UPDATES_PER_THREAD).build();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(config)) {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<List<CompletableFuture<SiblingSet>>>> submitted = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                submitted.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    List<CompletableFuture<SiblingSet>> futures = new ArrayList<>();
                    for (int i = 0; i < KEYS_PER_THREAD; i++) {
                        // Distinct keys per thread, spread over a few partitions.
                        futures.add(engine.put(i % 4, bytes("t" + thread + "-k" + i),
                                blind(ActorId.of("w" + thread, 1), "t" + thread + "-v" + i)));
                        if (i % (KEYS_PER_THREAD / SHARED_UPDATES_PER_THREAD) == 0) {
                            // Blind coordinator writes to one shared key: every one must survive as a sibling.
                            String v = "shared-" + thread + "-" + i;
                            futures.add(engine.update(9, bytes("shared"),
                                    s -> s.update(VersionVector.empty(), coordinator, bytes(v), 5)));
                        }
                    }
                    return futures;
                }));
            }
            int acked = 0;
            for (Future<List<CompletableFuture<SiblingSet>>> f : submitted) {
                for (CompletableFuture<SiblingSet> write : f.get(30, TimeUnit.SECONDS)) {
                    await(write);
                    acked++;
                }
            }

            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < KEYS_PER_THREAD; i++) {
                    assertThat(values(engine.get(i % 4, bytes("t" + t + "-k" + i))))
                            .containsExactly("t" + t + "-v" + i);
                }
            }
            SiblingSet shared = engine.get(9, bytes("shared"));
            int sharedWrites = THREADS * SHARED_UPDATES_PER_THREAD;
            assertThat(shared.size()).isEqualTo(sharedWrites);
            Set<Long> counters = new HashSet<>();
            Set<String> sharedValues = new HashSet<>();
            for (Sibling s : shared.siblings()) {
                counters.add(s.dot().counter());
                sharedValues.add(string(s.value()));
            }
            assertThat(counters).as("each update got its own dot").hasSize(sharedWrites);
            assertThat(shared.context().get(coordinator)).isEqualTo(sharedWrites);
            assertThat(sharedValues).hasSize(sharedWrites);

            StorageStats stats = engine.stats();
            assertThat(stats.writesCommitted()).isEqualTo(acked);
            assertThat(stats.batchesCommitted()).as("group commit shares transactions").isLessThan(acked);
        } finally {
            pool.shutdownNow();
        }
    }
}
