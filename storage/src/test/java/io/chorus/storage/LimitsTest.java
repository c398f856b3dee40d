package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.B;
import static io.chorus.storage.TestData.C;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.failure;
import static io.chorus.storage.TestData.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every limit is rejected with its typed exception and leaves the store as it was. */
class LimitsTest {

    private static final int MAX_VALUE = 1024;
    private static final int MAX_OBJECT = 3500;

    @TempDir
    Path dir;
    private LmdbStorageEngine engine;

    @BeforeEach
    void open() {
        engine = LmdbStorageEngine.open(TestData.config(dir).maxValueSize(MAX_VALUE).maxObjectSize(MAX_OBJECT)
                .siblingWarn(1).maxSiblings(2).build());
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void keyOfMaximumLengthIsAccepted() {
        // Partition and segment hash take 6 of LMDB's 511 bytes.
        assertThat(StorageEngine.MAX_KEY_LENGTH).isEqualTo(505);
        assertThat(StoreKeys.dataKey(StorageEngine.MAX_PARTITION, new byte[505])).hasSize(StoreKeys.LMDB_MAX_KEY);
        byte[] key = new byte[StorageEngine.MAX_KEY_LENGTH];
        Arrays.fill(key, (byte) 0xFF);
        await(engine.put(StorageEngine.MAX_PARTITION, key, blind(A, "v")));
        assertThat(values(engine.get(StorageEngine.MAX_PARTITION, key))).containsExactly("v");
    }

    @Test
    void keyTooLongIsRejected() {
        byte[] key = new byte[StorageEngine.MAX_KEY_LENGTH + 1];
        assertLimit(engine.put(1, key, blind(A, "v")), ErrorCode.TOO_LARGE, StorageEngine.MAX_KEY_LENGTH + 1);
        assertLimit(engine.delete(1, key, VersionVector.empty(), A, 1), ErrorCode.TOO_LARGE,
                StorageEngine.MAX_KEY_LENGTH + 1);
        assertThatThrownBy(() -> engine.get(1, key)).isInstanceOf(LimitExceededException.class);
        assertThat(engine.stats().batchesCommitted()).isZero();
    }

    @Test
    void emptyKeyIsRejected() {
        assertThat(failure(engine.put(1, new byte[0], blind(A, "v"))))
                .isInstanceOfSatisfying(ChorusException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> engine.get(1, new byte[0])).isInstanceOf(ChorusException.class);
    }

    @Test
    void partitionOutOfRangeIsAProgrammingError() {
        assertThatThrownBy(() -> engine.get(65536, bytes("k"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> engine.put(-1, bytes("k"), blind(A, "v")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> engine.scan(70_000, (k, v) -> true)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A client's write at its coordinator: {@code update} with a stamp. */
    private CompletableFuture<SiblingSet> write(ActorId actor, byte[] value) {
        return engine.update(1, bytes("k"), s -> s.update(VersionVector.empty(), actor, value, 1));
    }

    @Test
    void valueTooLargeIsRejectedAndNothingWritten() {
        assertLimit(write(A, new byte[MAX_VALUE + 1]), ErrorCode.TOO_LARGE, MAX_VALUE + 1);
        assertThat(engine.get(1, bytes("k")).isEmpty()).isTrue();
        assertThat(await(write(A, new byte[MAX_VALUE])).size()).isEqualTo(1);
    }

    @Test
    void tooManySiblingsIsRejectedAndStoredStateKept() {
        await(write(A, bytes("a")));
        SiblingSet two = await(write(B, bytes("b")));

        assertLimit(write(C, bytes("c")), ErrorCode.TOO_MANY_SIBLINGS, 3);
        assertThat(engine.get(1, bytes("k"))).isEqualTo(two);
        // A write that resolves the siblings (context covers both) is always allowed.
        SiblingSet resolved = await(engine.update(1, bytes("k"), s -> s.update(s.context(), C, bytes("c"), 2)));
        assertThat(values(resolved)).containsExactly("c");
    }

    @Test
    void objectTooLargeIsRejected() {
        // Values that each fit, but four of them (about 4 KB) exceed the object limit; maxSiblings raised.
        try (LmdbStorageEngine roomy = LmdbStorageEngine.open(TestData.config(dir.resolve("roomy"))
                .maxValueSize(MAX_VALUE).maxObjectSize(MAX_OBJECT).maxSiblings(10).build())) {
            for (int i = 0; i < 3; i++) {
                ActorId a = ActorId.of("n" + i, 1);
                await(roomy.update(1, bytes("k"), s -> s.update(VersionVector.empty(), a, new byte[1000], 1)));
            }
            SiblingSet before = roomy.get(1, bytes("k"));
            CompletableFuture<SiblingSet> f = roomy.update(1, bytes("k"),
                    s -> s.update(VersionVector.empty(), ActorId.of("n9", 1), new byte[1000], 1));
            assertThat(failure(f)).isInstanceOfSatisfying(LimitExceededException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
                assertThat(e.limit()).isEqualTo(MAX_OBJECT);
                assertThat(e).hasMessageContaining(Integer.toString(MAX_OBJECT));
            });
            assertThat(roomy.get(1, bytes("k"))).isEqualTo(before);
        }
    }

    /**
     * Replicas that each hold what their clients wrote within the limits must still merge, or they would never
     * converge: a merge over a limit is stored, counted and logged, and only a client's next write is held to it.
     */
    @Test
    void aMergeOfReplicaStatesIsStoredOverEveryLimitAndCounted() {
        SiblingSet two = await(engine.put(1, bytes("k"), blind(A, "a").merge(blind(B, "b"))));
        SiblingSet three = await(engine.put(1, bytes("k"), blind(C, "c")));
        assertThat(three.size()).isEqualTo(3);
        SiblingSet bigValue = SiblingSet.empty().update(VersionVector.empty(), ActorId.of("d", 1),
                new byte[MAX_VALUE + 1], 1);
        SiblingSet four = await(engine.put(1, bytes("k"), bigValue));
        assertThat(four.size()).isEqualTo(4);
        assertThat(engine.get(1, bytes("k"))).isEqualTo(four);
        assertThat(engine.stats().mergesOverLimit()).isEqualTo(2);
        assertThat(two.size()).isEqualTo(2);
        // A client's write adding to the over-limit key is refused; one that resolves it goes through.
        assertLimit(write(ActorId.of("e", 1), bytes("e")), ErrorCode.TOO_MANY_SIBLINGS, 5);
        SiblingSet resolved = await(engine.update(1, bytes("k"), s -> s.update(s.context(), A, bytes("r"), 2)));
        assertThat(values(resolved)).containsExactly("r");
    }

    @Test
    void aClientsWriteCannotGrowAKeysClockPastItsActorLimit() {
        java.util.Map<ActorId, Long> actors = new java.util.HashMap<>();
        for (int i = 0; i < WriteLimits.MAX_CLOCK_ACTORS; i++) {
            actors.put(ActorId.of("made-up-" + i, 1), 1L);
        }
        VersionVector full = VersionVector.of(actors);
        // The write's own actor makes one more than the limit.
        assertLimit(engine.update(1, bytes("k"), s -> s.update(full, A, bytes("v"), 1)), ErrorCode.TOO_LARGE,
                WriteLimits.MAX_CLOCK_ACTORS + 1);
        actors.remove(ActorId.of("made-up-0", 1));
        SiblingSet atLimit = await(engine.update(1, bytes("k"), s -> s.update(VersionVector.of(actors), A,
                bytes("v"), 1)));
        assertThat(atLimit.context().size()).isEqualTo(WriteLimits.MAX_CLOCK_ACTORS);
    }

    @Test
    void areaLimits() {
        KeyValueArea area = engine.area("limits");
        assertThat(failure(area.put(new byte[512], bytes("v")))).isInstanceOf(LimitExceededException.class);
        // Room for a record that wraps the largest stored set (a hint), not more.
        int largest = MAX_OBJECT + LmdbStorageEngine.AREA_RECORD_OVERHEAD;
        assertThat(failure(area.put(bytes("k"), new byte[largest + 1]))).isInstanceOf(LimitExceededException.class);
        await(area.put(bytes("big"), new byte[largest]));
        await(area.delete(bytes("big")));
        assertThat(failure(area.put(new byte[0], bytes("v")))).isInstanceOf(ChorusException.class);
        assertThat(area.count()).isZero();
        await(area.put(new byte[511], bytes("v")));
        assertThat(area.count()).isOne();
    }

    private static void assertLimit(CompletableFuture<?> f, ErrorCode code, long actual) {
        assertThat(failure(f)).isInstanceOfSatisfying(LimitExceededException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.actual()).isEqualTo(actual);
        });
    }
}
