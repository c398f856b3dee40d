package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.storage.KeyValueArea;
import io.chorus.storage.MemoryStorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The in-memory engine the simulation runs on keeps the engine contract where the coordinator relies on it. */
class MemoryStorageEngineTest {

    private final MemoryStorageEngine engine = new MemoryStorageEngine(7);
    private final ActorId actor = ActorId.of("n", 7);

    @Test
    void updatesMergesAndReads() {
        assertThat(engine.epoch()).isEqualTo(7);
        assertThat(engine.get(1, bytes("k"))).isEqualTo(SiblingSet.empty());
        CompletableFuture<SiblingSet> f = engine.update(1, bytes("k"),
                s -> s.update(VersionVector.empty(), actor, bytes("a"), 1));
        assertThat(f).isCompleted();
        SiblingSet a = f.join();
        assertThat(engine.get(1, bytes("k"))).isEqualTo(a);
        assertThat(engine.get(2, bytes("k")).isEmpty()).as("partitions are separate").isTrue();
        SiblingSet other = SiblingSet.empty().update(VersionVector.empty(), ActorId.of("m", 1), bytes("b"), 2);
        assertThat(engine.put(1, bytes("k"), other).join()).isEqualTo(a.merge(other));
    }

    @Test
    void badKeysAndThrowingChangesFailOnlyTheirFuture() {
        assertThat(code(engine.update(1, new byte[0], s -> s))).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(code(engine.update(1, new byte[510], s -> s))).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(engine.update(1, bytes("k"), s -> {
            throw new IllegalStateException("boom");
        })).isCompletedExceptionally();
        assertThat(engine.update(1, bytes("k"), s -> null)).isCompletedExceptionally();
        assertThat(engine.get(1, bytes("k")).isEmpty()).isTrue();
    }

    @Test
    void scansInStoredOrderWithinAPartitionAndDrops() {
        for (String k : List.of("b", "a", "c")) {
            engine.update(3, bytes(k), s -> s.update(VersionVector.empty(), actor, bytes(k), 1)).join();
        }
        engine.update(4, bytes("z"), s -> s.update(VersionVector.empty(), actor, bytes("z"), 1)).join();
        List<String> seen = new ArrayList<>();
        engine.scan(3, (key, value) -> seen.add(new String(key)));
        // Stored order, as in LMDB: by segment hash, then key.
        assertThat(seen).containsExactlyElementsOf(List.of("a", "b", "c").stream()
                .sorted(java.util.Comparator.comparingLong(k -> Integer.toUnsignedLong(
                        io.chorus.storage.KeyHash.segmentHash(bytes(k))))).toList());
        engine.dropPartition(3).join();
        assertThat(engine.get(3, bytes("a")).isEmpty()).isTrue();
        assertThat(engine.get(4, bytes("z")).isEmpty()).isFalse();
    }

    @Test
    void areasArePrefixScannedInUnsignedOrder() {
        KeyValueArea area = engine.area("hints");
        assertThat(engine.area("hints")).isSameAs(area);
        area.put(new byte[] {1, (byte) 0xFF}, bytes("x")).join();
        area.put(new byte[] {1, 0x01}, bytes("y")).join();
        area.put(new byte[] {2}, bytes("z")).join();
        List<String> seen = new ArrayList<>();
        area.scan(new byte[] {1}, (k, v) -> seen.add(new String(v)));
        assertThat(seen).containsExactly("y", "x");
        assertThat(area.count()).isEqualTo(3);
        assertThat(area.delete(new byte[] {2}).join()).isTrue();
        assertThat(area.delete(new byte[] {2}).join()).isFalse();
        assertThat(area.get(new byte[] {1, 1})).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("y")));
    }

    @Test
    void closedEngineIsUnavailable() {
        engine.close();
        assertThat(code(engine.update(1, bytes("k"), s -> s))).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    private static ErrorCode code(CompletableFuture<?> f) {
        return NodeServices.codeOf(f.handle((v, e) -> e).join());
    }
}
