package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TestData.string;
import static io.chorus.storage.TestData.values;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition is one contiguous key range: scans see exactly it, in stored order (segment hash, then key); drops
 * remove exactly it.
 */
class ScanAndDropTest {

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
    void scanVisitsExactlyOnePartitionInStoredOrder() {
        // Neighbouring partitions, and keys whose first byte sorts high when unsigned.
        for (int p : new int[] {0x0101, 0x0102, 0x0201}) {
            for (String k : new String[] {"b", "a", "c", "\u00ff", "ab"}) {
                await(engine.put(p, bytes(k), blind(A, p + "/" + k)));
            }
        }
        List<String> keys = new ArrayList<>();
        List<String> vals = new ArrayList<>();
        engine.scan(0x0102, (k, v) -> {
            keys.add(string(k));
            vals.addAll(values(v));
            return true;
        });

        List<String> expected = storedOrder(List.of("a", "ab", "b", "c", "\u00ff"));
        assertThat(keys).containsExactlyElementsOf(expected);
        assertThat(vals).containsExactlyElementsOf(expected.stream().map(k -> "258/" + k).toList());
    }

    @Test
    void scanOfEmptyPartitionAndEdgePartitions() {
        await(engine.put(0, bytes("first"), blind(A, "0")));
        await(engine.put(65535, bytes("last"), blind(A, "65535")));

        assertThat(collect(1)).isEmpty();
        assertThat(collect(0)).containsExactly("first");
        assertThat(collect(65535)).containsExactly("last");
    }

    @Test
    void scanAcrossManyChunksStopsWhenVisitorSaysSoAndVisitorMayUseTheEngine() {
        int n = ChunkedScan.CHUNK_ENTRIES * 3 + 7;
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(engine.put(4, key(i), blind(A, "v" + i)));
        }
        writes.forEach(TestData::await);

        List<String> all = collect(4);
        assertThat(all).hasSize(n).containsExactlyElementsOf(storedOrder(all));

        List<String> firstTen = new ArrayList<>();
        engine.scan(4, (k, v) -> {
            // Reads and even waiting for writes are fine: no transaction is held while visiting.
            assertThat(engine.get(4, k)).isEqualTo(v);
            await(engine.put(5, k, v));
            firstTen.add(string(k));
            return firstTen.size() < 10;
        });
        assertThat(firstTen).containsExactlyElementsOf(all.subList(0, 10));
        assertThat(collect(5)).hasSize(10);
    }

    @Test
    void dropRemovesOnlyThatPartitionEvenWhenItTakesSeveralChunks() {
        int n = PartitionDrop.CHUNK * 2 + 10;
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(engine.put(7, key(i), blind(A, "x")));
        }
        for (int p : new int[] {6, 8}) {
            writes.add(engine.put(p, bytes("neighbour"), blind(A, "n" + p)));
        }
        writes.forEach(TestData::await);

        await(engine.dropPartition(7));

        assertThat(collect(7)).isEmpty();
        assertThat(engine.get(7, key(0)).isEmpty()).isTrue();
        assertThat(values(engine.get(6, bytes("neighbour")))).containsExactly("n6");
        assertThat(values(engine.get(8, bytes("neighbour")))).containsExactly("n8");
        // Dropping an empty partition is fine too.
        await(engine.dropPartition(7));
    }

    private List<String> collect(int partition) {
        List<String> keys = new ArrayList<>();
        engine.scan(partition, (k, v) -> keys.add(string(k)));
        return keys;
    }

    /** Keys as the store orders them: by segment hash (unsigned), then by unsigned bytes. */
    static List<String> storedOrder(List<String> keys) {
        return keys.stream().sorted(Comparator.comparing((String k) -> bytes(k), STORED_ORDER)).toList();
    }

    static final Comparator<byte[]> STORED_ORDER = Comparator
            .comparing((byte[] k) -> KeyHash.segmentHash(k), Integer::compareUnsigned)
            .thenComparing(Arrays::compareUnsigned);

    private static byte[] key(int i) {
        return bytes(String.format("k%05d", i));
    }
}
