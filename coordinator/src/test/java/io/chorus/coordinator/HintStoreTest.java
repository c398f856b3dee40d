package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ErrorCode;
import io.chorus.storage.MemoryStorageEngine;
import io.chorus.testkit.Simulation;
import io.chorus.testkit.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hint records, the store's bounds and sequence recovery, and the replay agent's age limit. */
@ExtendWith(SimulationSeeds.class)
@Tag(SimulationSeeds.TAG)
class HintStoreTest {

    private static final SiblingSet SET = SiblingSet.empty()
            .update(VersionVector.empty(), ActorId.of("a", 1), bytes("v"), 7);

    @Test
    void keysSortByOwnerThenSequenceAndRoundTrip() {
        byte[] key = HintCodec.key(NodeId.of("n1"), 258);
        assertThat(key).containsExactly('n', '1', 0, 0, 0, 0, 0, 0, 0, 1, 2);
        Hint hint = new Hint(NodeId.of("n1"), 258, 17, bytes("k"), SET, 12345);
        Hint back = HintCodec.decode(key, HintCodec.value(hint));
        assertThat(back.owner()).isEqualTo(NodeId.of("n1"));
        assertThat(back.sequence()).isEqualTo(258);
        assertThat(back.partition()).isEqualTo(17);
        assertThat(back.value()).isEqualTo(SET);
        assertThat(back.createdAtMillis()).isEqualTo(12345);
        assertThat(HintCodec.ownerPrefix(NodeId.of("n1"))).containsExactly('n', '1', 0);
    }

    @Test
    void hintsAreCountedPerPartitionAcrossARestartAndUnreadableOnesCountForEvery() {
        MemoryStorageEngine storage = new MemoryStorageEngine(1);
        HintStore store = HintStore.open(storage, 10, new Counters());
        store.add(NodeId.of("o"), 1, bytes("a"), SET, 0).join();
        store.add(NodeId.of("o"), 1, bytes("b"), SET, 0).join();
        store.add(NodeId.of("o"), 2, bytes("c"), SET, 0).join();
        assertThat(store.pending(1)).isEqualTo(2);
        assertThat(store.pending(2)).isEqualTo(1);
        assertThat(store.pending(3)).isZero();
        store.remove(new Hint(NodeId.of("o"), 0, 1, bytes("a"), SET, 0)).join();
        assertThat(store.pending(1)).isEqualTo(1);

        // A record whose value does not decode: after a restart it counts for every partition until removed.
        storage.area(HintStore.AREA).put(HintCodec.key(NodeId.of("o"), 99), new byte[] {1, 2, 3}).join();
        HintStore reopened = HintStore.open(storage, 10, new Counters());
        assertThat(reopened.pending(1)).isEqualTo(2);
        assertThat(reopened.pending(2)).isEqualTo(2);
        assertThat(reopened.pending(3)).isEqualTo(1);
        reopened.removeRaw(HintCodec.key(NodeId.of("o"), 99)).join();
        assertThat(reopened.pending(3)).isZero();
        assertThat(reopened.pending(2)).isEqualTo(1);
    }

    @Test
    void sequenceIsRecoveredSoARestartNeverOverwritesAHint() {
        MemoryStorageEngine storage = new MemoryStorageEngine(1);
        HintStore first = HintStore.open(storage, 10, new Counters());
        first.add(NodeId.of("o"), 1, bytes("k"), SET, 0).join();
        first.add(NodeId.of("o"), 1, bytes("k"), SET, 0).join();
        HintStore reopened = HintStore.open(storage, 10, new Counters());
        reopened.add(NodeId.of("o"), 1, bytes("k"), SET, 0).join();
        List<Long> sequences = new ArrayList<>();
        storage.area(HintStore.AREA).scan(new byte[0], (k, v) -> sequences.add(HintCodec.sequence(k)));
        assertThat(sequences).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aFullStoreRefusesAndCounts() {
        MemoryStorageEngine storage = new MemoryStorageEngine(1);
        Counters counters = new Counters();
        HintStore store = HintStore.open(storage, 1, counters);
        store.add(NodeId.of("o"), 1, bytes("k"), SET, 0).join();
        var refused = store.add(NodeId.of("o"), 1, bytes("k"), SET, 0);
        assertThat(NodeServices.codeOf(refused.handle((v, e) -> e).join())).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(counters.snapshot().hintsDropped()).isEqualTo(1);
        assertThat(counters.snapshot().hintsStored()).isEqualTo(1);
    }

    @Test
    void expiredHintsAreDroppedUnsent(Simulation sim) {
        CoordinatorConfig config = CoordinatorConfig.defaults().withHintLimits(100, 10_000);
        SimCluster c = new SimCluster(sim, 4, config);
        byte[] key = bytes("old");
        List<NodeId> replicas = c.replicas(key, 3);
        NodeId owner = replicas.get(2);
        c.sim.network().isolate(owner);
        c.await(c.coordinator(replicas.get(0)).put(key, VersionVector.empty(), bytes("v"), QuorumOptions.DEFAULT));
        NodeId fallback = c.fallbacks(key, 3).get(0);
        assertThat(c.sim.runUntil(() -> c.hints(fallback) == 1, 5_000)).isTrue();
        c.sim.advance(12_000);
        assertThat(c.hints(fallback)).isZero();
        assertThat(c.coordinator(fallback).stats().hintsDropped()).isEqualTo(1);
        c.sim.network().heal();
        c.sim.advance(5_000);
        assertThat(c.stored(owner, key).isEmpty()).as("dropped, left to anti-entropy").isTrue();
    }
}
