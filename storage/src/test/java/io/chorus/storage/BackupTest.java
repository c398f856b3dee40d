package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hot copy of a store holds every write committed before it, and its first open takes a new epoch. */
class BackupTest {

    @TempDir
    Path dir;

    @Test
    void copyWhileWritingHoldsCommittedDataAndTakesANewEpochOnce() throws Exception {
        Path live = dir.resolve("live");
        Path copy = dir.resolve("copy");
        long liveEpoch;
        int committedBefore = 2000;
        long bytes;
        int written;
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(live).build())) {
            liveEpoch = engine.epoch();
            for (int i = 0; i < committedBefore; i++) {
                await(engine.put(i % 16, bytes("k" + i), blind(A, "v" + i)));
            }
            // A writer keeps going while the copy runs, one committed write after the other.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger during = new AtomicInteger();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get() || i < 10; i++) {
                    await(engine.put(i % 16, bytes("w" + i), blind(A, "w" + i)));
                    during.incrementAndGet();
                }
            });
            writer.start();
            try {
                bytes = engine.backup(copy);
            } finally {
                stop.set(true);
                writer.join();
            }
            written = during.get();
        }
        assertThat(bytes).isPositive().isEqualTo(Files.size(copy.resolve("data.mdb")));
        assertThat(RestoreMarker.present(copy)).isTrue();

        long restoredEpoch;
        try (LmdbStorageEngine restored = LmdbStorageEngine.open(TestData.config(copy).build())) {
            restoredEpoch = restored.epoch();
            assertThat(restoredEpoch).isNotNegative().isNotEqualTo(liveEpoch);
            for (int i = 0; i < committedBefore; i++) {
                assertThat(values(restored.get(i % 16, bytes("k" + i)))).containsExactly("v" + i);
            }
            // One point in time: a prefix of the concurrent writes, never a later one without an earlier one.
            int firstMissing = written;
            for (int i = 0; i < written; i++) {
                boolean has = !restored.get(i % 16, bytes("w" + i)).isEmpty();
                if (!has && firstMissing == written) {
                    firstMissing = i;
                }
                assertThat(has && firstMissing < i).as("w%d copied though w%d was not", i, firstMissing).isFalse();
            }
        }
        assertThat(RestoreMarker.present(copy)).isFalse();
        try (LmdbStorageEngine again = LmdbStorageEngine.open(TestData.config(copy).build())) {
            assertThat(again.epoch()).isEqualTo(restoredEpoch);
        }
        try (LmdbStorageEngine original = LmdbStorageEngine.open(TestData.config(live).build())) {
            assertThat(original.epoch()).as("the original keeps its epoch").isEqualTo(liveEpoch);
        }
    }

    @Test
    void refusesANonEmptyTargetAndLeavesItAlone() throws Exception {
        Path target = dir.resolve("full");
        Files.createDirectories(target);
        Files.writeString(target.resolve("other"), "x");
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir.resolve("s")).build())) {
            assertThatThrownBy(() -> engine.backup(target)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not empty");
        }
        try (var entries = Files.list(target)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("other");
        }
    }

    @Test
    void aMarkerAddedByHandMakesAStoppedStoreTakeANewEpoch() {
        Path store = dir.resolve("hand");
        long first;
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(store).build())) {
            first = engine.epoch();
            await(engine.put(0, bytes("k"), blind(A, "v")));
        }
        RestoreMarker.write(store);
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(store).build())) {
            assertThat(engine.epoch()).isNotEqualTo(first);
            assertThat(values(engine.get(0, bytes("k")))).containsExactly("v");
        }
        assertThat(RestoreMarker.present(store)).isFalse();
    }
}
