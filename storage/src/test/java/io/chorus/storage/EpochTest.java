package io.chorus.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The actor epoch belongs to the data directory: kept across restarts, new for a wiped directory. */
class EpochTest {

    @TempDir
    Path dir;

    @Test
    void epochPersistsAcrossReopenAndDiffersForFreshDirectory() {
        long first;
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir.resolve("a")).build())) {
            first = engine.epoch();
        }
        assertThat(first).isNotNegative();
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir.resolve("a")).build())) {
            assertThat(engine.epoch()).isEqualTo(first);
        }
        try (LmdbStorageEngine wiped = LmdbStorageEngine.open(TestData.config(dir.resolve("b")).build())) {
            assertThat(wiped.epoch()).isNotNegative().isNotEqualTo(first);
        }
    }
}
