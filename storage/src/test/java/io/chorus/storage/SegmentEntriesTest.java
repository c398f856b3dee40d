package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.B;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TreeTestData.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chorus.core.causal.SiblingSet;
import io.chorus.testkit.SimulationSeeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StorageEngine#segmentEntries} lists exactly what a naive filter of a full scan gives: the keys whose
 * segment ({@link KeyHash#segmentOf}) is listed, in stored order, paged by a byte budget and resumed after the last
 * key of a page, with nothing missing or repeated; at every resolution, in both engines, for the first and the last
 * partition (whose last segment ends the key space), next to neighbours that must not bleed in.
 */
@Tag(SimulationSeeds.TAG)
class SegmentEntriesTest {

    private static final int[] PARTITIONS = {0, 1, StorageEngine.MAX_PARTITION - 1, StorageEngine.MAX_PARTITION};
    private static final int[] RESOLUTIONS = {0, 1, 2, 4, 7, 8, 10, 12, 16, KeyHash.MAX_BITS};
    private static final Comparator<byte[]> STORED_ORDER = ScanAndDropTest.STORED_ORDER;

    @TempDir
    Path dir;

    @Test
    void pagesConcatenateToTheNaiveListing() {
        SimulationSeeds.forEachSeed(4, seed -> {
            MemoryStorageEngine memory = new MemoryStorageEngine(1);
            try (LmdbStorageEngine lmdb = LmdbStorageEngine.open(TestData.config(dir.resolve("s" + seed)).build())) {
                SplittableRandom rnd = new SplittableRandom(seed);
                fill(rnd, memory, lmdb);
                for (StorageEngine engine : List.of(memory, lmdb)) {
                    SplittableRandom r = new SplittableRandom(seed + 1);
                    for (int p : new int[] {0, StorageEngine.MAX_PARTITION}) {
                        List<Entry> all = naive(engine, p);
                        for (int bits : RESOLUTIONS) {
                            for (int trial = 0; trial < 6; trial++) {
                                int[] segments = segments(r, all, bits);
                                int maxBytes = switch (trial % 3) {
                                    case 0 -> 1 + r.nextInt(40); // about an entry a page
                                    case 1 -> 1 + r.nextInt(3_000);
                                    default -> Integer.MAX_VALUE;
                                };
                                checkListing(engine, p, bits, segments, maxBytes, all);
                            }
                        }
                    }
                }
            }
        });
    }

    @Test
    void edgesOfTheKeySpace() {
        forBoth(engine -> {
            // Keys in the last segment of the last partition, found by their hash.
            List<byte[]> last = new ArrayList<>();
            for (int i = 0; last.size() < 3; i++) {
                byte[] k = TestData.bytes("edge-" + i);
                if (KeyHash.segmentOf(k, 4) == 15) {
                    last.add(k);
                    TestData.await(engine.put(StorageEngine.MAX_PARTITION, k, blind(A, "v")));
                }
            }
            SegmentEntries listed = engine.segmentEntries(StorageEngine.MAX_PARTITION, 4, new int[] {15}, null, 1);
            assertThat(listed.entries()).hasSize(1);
            assertThat(listed.truncated()).isTrue();
            List<byte[]> seen = new ArrayList<>();
            byte[] resume = null;
            SegmentEntries page;
            do {
                page = engine.segmentEntries(StorageEngine.MAX_PARTITION, 4, new int[] {15}, resume, 1);
                page.entries().forEach(e -> seen.add(e.key()));
                resume = page.entries().isEmpty() ? resume : page.entries().get(page.entries().size() - 1).key();
            } while (page.truncated());
            assertThat(seen).hasSize(3);
            assertThat(sorted(seen)).containsExactlyElementsOf(sorted(last));
            // Nothing in an empty partition or segment list; resuming after the last key lists nothing.
            assertThat(engine.segmentEntries(5, 0, new int[] {0}, null, 100)).isEqualTo(new SegmentEntries(List.of(),
                    false));
            assertThat(engine.segmentEntries(StorageEngine.MAX_PARTITION, 4, new int[0], null, 100).entries())
                    .isEmpty();
            assertThat(engine.segmentEntries(StorageEngine.MAX_PARTITION, 4, new int[] {15}, resume, 100).entries())
                    .isEmpty();
        });
    }

    @Test
    void badArgumentsAreRefused() {
        forBoth(engine -> {
            assertThatThrownBy(() -> engine.segmentEntries(1, 4, new int[] {3, 3}, null, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.segmentEntries(1, 4, new int[] {4, 3}, null, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.segmentEntries(1, 4, new int[] {16}, null, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.segmentEntries(1, 4, new int[] {-1}, null, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.segmentEntries(1, 0, new int[] {1}, null, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.segmentEntries(1, KeyHash.MAX_BITS + 1, new int[] {0}, null, 10))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.segmentEntries(1, 4, new int[] {0}, null, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.segmentEntries(StorageEngine.MAX_PARTITION + 1, 4, new int[] {0}, null,
                    10)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    private void forBoth(Consumer<StorageEngine> body) {
        body.accept(new MemoryStorageEngine(1));
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(dir).build())) {
            body.accept(engine);
        }
    }

    record Entry(byte[] key, byte[] encoded) {
        String id() {
            return hex(key) + "=" + hex(encoded);
        }
    }

    /** Random keys (1 to 40 bytes, any byte values) and states, the same in both engines. */
    private static void fill(SplittableRandom rnd, StorageEngine... engines) {
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int p : PARTITIONS) {
            int n = p == 0 || p == StorageEngine.MAX_PARTITION ? 400 : 30;
            for (int i = 0; i < n; i++) {
                byte[] key = new byte[1 + rnd.nextInt(40)];
                for (int j = 0; j < key.length; j++) {
                    key[j] = (byte) rnd.nextInt(256);
                }
                SiblingSet state = blind(rnd.nextBoolean() ? A : B, "value-" + rnd.nextInt(1 << 20));
                for (StorageEngine e : engines) {
                    writes.add(e.put(p, key, state));
                }
            }
        }
        writes.forEach(TestData::await);
    }

    /** The whole partition, from a scan, in stored order (sorted here, not trusted from the scan). */
    private static List<Entry> naive(StorageEngine engine, int p) {
        List<Entry> out = new ArrayList<>();
        engine.scan(p, (key, set) -> out.add(new Entry(key, engine.getEncoded(p, key))));
        out.sort(Comparator.comparing(Entry::key, STORED_ORDER));
        return out;
    }

    /** A random ascending set of segments: some holding keys, some random, sometimes the first and the last. */
    private static int[] segments(SplittableRandom r, List<Entry> all, int bits) {
        TreeSet<Integer> s = new TreeSet<>();
        int n = 1 << bits;
        int picks = 1 + r.nextInt(Math.min(n, 20));
        for (int i = 0; i < picks; i++) {
            s.add(r.nextBoolean() && !all.isEmpty()
                    ? KeyHash.segmentOf(all.get(r.nextInt(all.size())).key(), bits) : r.nextInt(n));
        }
        if (r.nextInt(3) == 0) {
            s.add(n - 1);
        }
        if (r.nextInt(3) == 0) {
            s.add(0);
        }
        if (bits <= 4 && r.nextInt(4) == 0) {
            for (int i = 0; i < n; i++) {
                s.add(i);
            }
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void checkListing(StorageEngine engine, int p, int bits, int[] segments, int maxBytes,
            List<Entry> all) {
        Set<Integer> wanted = new HashSet<>();
        for (int s : segments) {
            wanted.add(s);
        }
        List<String> expected = all.stream().filter(e -> wanted.contains(KeyHash.segmentOf(e.key(), bits)))
                .map(Entry::id).toList();
        List<String> got = new ArrayList<>();
        byte[] resume = null;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("pages of a listing of %d entries", expected.size()).isLessThanOrEqualTo(
                    expected.size() + 1);
            SegmentEntries page = engine.segmentEntries(p, bits, segments, resume, maxBytes);
            long bytes = 0;
            for (int i = 0; i < page.entries().size(); i++) {
                StoredEntry e = page.entries().get(i);
                assertThat(bytes).as("the budget was not used up before entry %d", i).isLessThan(
                        i == 0 ? Long.MAX_VALUE : maxBytes);
                bytes += StoreKeys.HEADER_LENGTH + e.key().length + e.encoded().length;
                got.add(new Entry(e.key(), e.encoded()).id());
            }
            if (!page.truncated()) {
                break;
            }
            assertThat(page.entries()).as("a truncated page lists something").isNotEmpty();
            assertThat(bytes).as("a page stops once its budget is used").isGreaterThanOrEqualTo(maxBytes);
            resume = page.entries().get(page.entries().size() - 1).key();
        }
        assertThat(new HashSet<>(got)).as("no entry listed twice").hasSameSizeAs(got);
        assertThat(got).as("partition %d at %d bits, segments %s, pages of %d bytes", p, bits,
                Arrays.toString(segments), maxBytes).containsExactlyElementsOf(expected);
    }

    private static List<String> sorted(List<byte[]> keys) {
        return keys.stream().sorted(STORED_ORDER).map(TreeTestData::hex).toList();
    }
}
