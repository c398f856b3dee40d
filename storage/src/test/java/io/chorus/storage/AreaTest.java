package io.chorus.storage;

import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named areas: raw ordered byte maps sharing the engine's environment and writer. */
class AreaTest {

    @TempDir
    Path dir;

    @Test
    void putGetDeleteScanCount() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            KeyValueArea hints = engine.area("hints");
            assertThat(engine.area("hints")).isSameAs(hints);
            assertThat(hints.get(bytes("a"))).isEmpty();

            await(hints.put(bytes("b/2"), bytes("two")));
            await(hints.put(bytes("b/1"), bytes("one")));
            await(hints.put(bytes("a/1"), bytes("other")));
            await(hints.put(bytes("b/1"), bytes("uno")));

            assertThat(hints.get(bytes("b/1")).map(TestData::string)).contains("uno");
            assertThat(hints.count()).isEqualTo(3);
            assertThat(scan(hints, "b/")).containsExactly("b/1=uno", "b/2=two");
            assertThat(scan(hints, "")).containsExactly("a/1=other", "b/1=uno", "b/2=two");

            assertThat(await(hints.delete(bytes("b/1")))).isTrue();
            assertThat(await(hints.delete(bytes("b/1")))).isFalse();
            assertThat(hints.get(bytes("b/1"))).isEmpty();
            assertThat(hints.count()).isEqualTo(2);

            // Areas are separate from each other and from the sibling data.
            KeyValueArea other = engine.area("other");
            assertThat(other.count()).isZero();
            assertThat(engine.get(0, bytes("a/1")).isEmpty()).isTrue();
        }
    }

    @Test
    void areasSurviveReopen() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            await(engine.area("hints").put(bytes("k"), bytes("v")));
        }
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            assertThat(engine.area("hints").get(bytes("k")).map(TestData::string)).contains("v");
        }
    }

    @Test
    void badAreaNamesAreRejected() {
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            assertThatThrownBy(() -> engine.area("")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.area("has space")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static List<String> scan(KeyValueArea area, String prefix) {
        List<String> out = new ArrayList<>();
        area.scan(bytes(prefix), (k, v) -> out.add(string(k) + "=" + string(v)));
        return out;
    }
}
