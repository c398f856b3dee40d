package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.B;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.values;
import static io.chorus.storage.TestData.written;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DVVSet reconciliation through the engine: what a replica stores after puts, updates and deletes. */
class MergeSemanticsTest {

    @TempDir
    Path dir;
    private LmdbStorageEngine engine;

    @BeforeEach
    void open() {
        engine = LmdbStorageEngine.open(TestData.config(dir).build());
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void missingKeyReadsEmpty() {
        assertThat(engine.get(7, bytes("nope"))).isEqualTo(SiblingSet.empty());
    }

    @Test
    void concurrentIncomingSetsKeepBothSiblings() {
        await(engine.put(1, bytes("k"), blind(A, "from-a")));
        SiblingSet stored = await(engine.put(1, bytes("k"), blind(B, "from-b")));

        assertThat(values(stored)).containsExactly("from-a", "from-b");
        assertThat(engine.get(1, bytes("k"))).isEqualTo(stored);
    }

    @Test
    void coveringUpdateCollapsesSiblings() {
        await(engine.put(1, bytes("k"), blind(A, "from-a")));
        SiblingSet both = await(engine.put(1, bytes("k"), blind(B, "from-b")));

        // A client read both siblings and writes back with their context: one value remains.
        SiblingSet resolved = await(engine.update(1, bytes("k"), s -> written(both, A, "resolved").merge(s)));

        assertThat(values(resolved)).containsExactly("resolved");
        assertThat(engine.get(1, bytes("k"))).isEqualTo(resolved);
    }

    @Test
    void staleReplicaPutDoesNotResurrectOverwrittenValue() {
        SiblingSet v1 = blind(A, "v1");
        await(engine.put(1, bytes("k"), v1));
        await(engine.put(1, bytes("k"), written(v1, A, "v2")));

        SiblingSet after = await(engine.put(1, bytes("k"), v1));

        assertThat(values(after)).containsExactly("v2");
    }

    @Test
    void deleteWritesTombstoneThatReadsAsDeleted() {
        SiblingSet stored = await(engine.put(1, bytes("k"), blind(A, "v")));

        SiblingSet deleted = await(engine.delete(1, bytes("k"), stored.context(), B, 2_000));

        assertThat(deleted.isDeleted()).isTrue();
        assertThat(deleted.isEmpty()).isFalse();
        SiblingSet read = engine.get(1, bytes("k"));
        assertThat(read.isDeleted()).isTrue();
        assertThat(read.siblings()).singleElement().satisfies(s -> assertThat(s.isTombstone()).isTrue());
    }

    @Test
    void blindDeleteKeepsConcurrentValue() {
        await(engine.put(1, bytes("k"), blind(A, "v")));

        SiblingSet after = await(engine.delete(1, bytes("k"), VersionVector.empty(), B, 2_000));

        assertThat(after.isDeleted()).isFalse();
        assertThat(values(after)).containsExactly("v");
        assertThat(after.size()).isEqualTo(2);
    }

    @Test
    void updateStampsFreshDotsFromStoredClock() {
        SiblingSet first = await(engine.update(3, bytes("k"), s -> s.update(VersionVector.empty(), A, bytes("x"), 1)));
        SiblingSet second = await(engine.update(3, bytes("k"), s -> s.update(VersionVector.empty(), A, bytes("y"), 2)));

        assertThat(first.context().get(A)).isEqualTo(1);
        assertThat(second.context().get(A)).isEqualTo(2);
        assertThat(values(second)).containsExactly("x", "y");
    }

    @Test
    void unchangedUpdateWritesNothingAndReturnsStored() {
        SiblingSet stored = await(engine.put(1, bytes("k"), blind(A, "v")));
        long before = engine.stats().batchesCommitted();

        SiblingSet again = await(engine.put(1, bytes("k"), stored));

        assertThat(again).isEqualTo(stored);
        assertThat(engine.stats().batchesCommitted()).as("no commit, no fsync").isEqualTo(before);
    }

    @Test
    void partitionsAreSeparateKeySpaces() {
        await(engine.put(1, bytes("k"), blind(A, "in-1")));
        await(engine.put(2, bytes("k"), blind(A, "in-2")));

        assertThat(values(engine.get(1, bytes("k")))).containsExactly("in-1");
        assertThat(values(engine.get(2, bytes("k")))).containsExactly("in-2");
        assertThat(engine.get(0, bytes("k")).isEmpty()).isTrue();
        assertThat(engine.get(65535, bytes("k")).isEmpty()).isTrue();
    }
}
