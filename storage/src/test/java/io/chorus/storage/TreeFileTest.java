package io.chorus.storage;

import static io.chorus.storage.TestData.A;
import static io.chorus.storage.TestData.await;
import static io.chorus.storage.TestData.blind;
import static io.chorus.storage.TestData.bytes;
import static io.chorus.storage.TreeTestData.assertMatchesStore;
import static io.chorus.storage.TreeTestData.assertSameLeaves;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Trees survive a clean close: the {@link TreeFile} and its token in the meta database bring them back ready and
 * identical. Anything else (a crash, a damaged file, a file from another close, a crash after a reopen that used
 * the file) brings every tree back not ready, to be rebuilt, and never a wrong one.
 */
class TreeFileTest {

    private static final int[] PARTITIONS = {0, 5, 6, StorageEngine.MAX_PARTITION};

    @TempDir
    Path tmp;
    /** The store's directory; others (copies, a second store) are its siblings under {@link #tmp}. */
    private Path dir;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private Logger engineLogger;
    private Level levelBefore;

    @BeforeEach
    void captureLog() {
        dir = tmp.resolve("store");
        engineLogger = (Logger) LoggerFactory.getLogger(LmdbStorageEngine.class);
        levelBefore = engineLogger.getLevel();
        engineLogger.setLevel(Level.INFO);
        log.start();
        engineLogger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        engineLogger.detachAppender(log);
        engineLogger.setLevel(levelBefore);
    }

    /** A ready tree as the test remembers it. */
    record Kept(int bits, long[] leaves, long keyCount, TreeSet<String> tombstones, long root) {
        static Kept of(HashTree t) {
            assertThat(t.isReady()).isTrue();
            return new Kept(t.bits(), t.leavesCopy(), t.keyCount(), TreeTestData.tombstones(t), t.root());
        }

        void assertSame(HashTree t) {
            assertThat(t.isReady()).as("tree of partition %d ready", t.partition()).isTrue();
            assertThat(t.bits()).isEqualTo(bits);
            assertSameLeaves(t.partition(), t.leavesCopy(), leaves);
            assertThat(t.keyCount()).isEqualTo(keyCount);
            assertThat(TreeTestData.tombstones(t)).isEqualTo(tombstones);
            assertThat(t.root()).isEqualTo(root);
        }
    }

    @Test
    void aCleanCloseKeepsEveryTreeReadyAndIdentical() {
        Map<Integer, Kept> kept = new HashMap<>();
        try (LmdbStorageEngine engine = open()) {
            fill(engine, new SplittableRandom(1));
            // One partition grown finer than the default resolution, with tombstones in another.
            writeKeys(engine, 6, 3_000);
            TreeTestData.rebuild(engine, 6, 500);
            assertThat(engine.trees().tree(6).bits()).isGreaterThan(HashTree.MIN_BITS);
            for (int p : PARTITIONS) {
                kept.put(p, Kept.of(engine.trees().tree(p)));
            }
            assertThat(kept.get(5).tombstones()).isNotEmpty();
        }
        assertThat(Files.exists(TreeFile.path(dir))).as("the tree file after a clean close").isTrue();
        log.list.clear();
        try (LmdbStorageEngine engine = open()) {
            assertThat(Files.exists(TreeFile.path(dir))).as("used up at open").isFalse();
            for (int p : PARTITIONS) {
                kept.get(p).assertSame(engine.trees().tree(p));
                assertMatchesStore(engine, p);
            }
            assertThat(engine.trees().rebuilds()).isZero();
            // A partition never written is known empty, as in the store that saved the trees.
            TreeReadinessTest.assertEmptyAndReady(engine.trees().tree(1234));
            assertThat(infoLines()).isEmpty();
            // The loaded trees go on counting.
            fill(engine, new SplittableRandom(2));
            for (int p : PARTITIONS) {
                assertMatchesStore(engine, p);
            }
        }
    }

    @Test
    void aCrashLeavesNoFileAndEveryTreeIsRebuilt() {
        LmdbStorageEngine engine = open();
        fill(engine, new SplittableRandom(3));
        engine.crash();
        assertThat(Files.exists(TreeFile.path(dir))).isFalse();
        assertReopensNotReady();
    }

    @Test
    void aCrashAfterAReopenThatUsedTheFileLeavesNothingValid() throws IOException {
        try (LmdbStorageEngine engine = open()) {
            fill(engine, new SplittableRandom(4));
        }
        Path saved = dir.resolveSibling("saved-tree-file");
        Files.copy(TreeFile.path(dir), saved);
        LmdbStorageEngine engine = open();
        assertThat(engine.trees().tree(5).isReady()).isTrue();
        await(engine.put(5, bytes("after-the-reopen"), blind(A, "x")));
        engine.crash();
        // Even the very file the reopen used, put back, is void: its token was deleted at that open.
        Files.copy(saved, TreeFile.path(dir));
        assertReopensNotReady();
    }

    @Test
    void aFileFromAnEarlierCloseIsIgnored() throws IOException {
        try (LmdbStorageEngine engine = open()) {
            fill(engine, new SplittableRandom(5));
        }
        Path old = dir.resolveSibling("old-tree-file");
        Files.copy(TreeFile.path(dir), old);
        try (LmdbStorageEngine engine = open()) {
            await(engine.put(5, bytes("written-after"), blind(A, "x")));
        }
        // The newer close saved its own file; the old one put in its place does not match the store's token.
        Files.copy(old, TreeFile.path(dir), StandardCopyOption.REPLACE_EXISTING);
        assertReopensNotReady();
    }

    @Test
    void aDamagedFileIsIgnored() throws IOException {
        try (LmdbStorageEngine engine = open()) {
            fill(engine, new SplittableRandom(6));
        }
        Path pristine = Files.createDirectories(dir.resolveSibling("pristine"));
        copyDirectory(dir, pristine);
        long size = Files.size(TreeFile.path(pristine));
        long[] positions = {0, 5, 9, 17, TreeFile.HEADER_LENGTH, TreeFile.HEADER_LENGTH + 7, size / 2, size - 40,
                size - 1};
        for (long at : positions) {
            resetFrom(pristine);
            byte[] file = Files.readAllBytes(TreeFile.path(dir));
            file[(int) at] ^= 0x10;
            Files.write(TreeFile.path(dir), file);
            assertReopensNotReady();
        }
        // Cut short, or with a byte too many.
        resetFrom(pristine);
        byte[] file = Files.readAllBytes(TreeFile.path(dir));
        Files.write(TreeFile.path(dir), Arrays.copyOf(file, file.length - 9));
        assertReopensNotReady();
        resetFrom(pristine);
        Files.write(TreeFile.path(dir), Arrays.copyOf(file, file.length + 1));
        assertReopensNotReady();
        resetFrom(pristine);
        Files.write(TreeFile.path(dir), new byte[0]);
        assertReopensNotReady();
    }

    @Test
    void treesNotReadyAtACleanCloseStayNotReady() {
        // A reopened store whose trees were not rebuilt, or only some: the file must not make the rest look empty.
        LmdbStorageEngine first = open();
        fill(first, new SplittableRandom(7));
        first.crash();
        Kept rebuilt;
        try (LmdbStorageEngine engine = open()) {
            TreeTestData.rebuild(engine, 5, 10);
            rebuilt = Kept.of(engine.trees().tree(5));
        }
        try (LmdbStorageEngine engine = open()) {
            rebuilt.assertSame(engine.trees().tree(5));
            for (int p : new int[] {0, 6, StorageEngine.MAX_PARTITION, 1234}) {
                TreeReadinessTest.assertNotReady(engine.trees().tree(p));
            }
        }
        // In a store whose trees are ready by default, one that is not (a drop ended by the close, say) stays not.
        Path fresh = dir.resolveSibling("fresh");
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(fresh).build())) {
            fill(engine, new SplittableRandom(8));
            engine.trees().tree(6).invalidate();
        }
        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(fresh).build())) {
            TreeReadinessTest.assertNotReady(engine.trees().tree(6));
            assertThat(engine.trees().tree(5).isReady()).isTrue();
            TreeReadinessTest.assertEmptyAndReady(engine.trees().tree(1234));
            TreeTestData.rebuild(engine, 6, 100);
            assertMatchesStore(engine, 6);
        }
    }

    @Test
    void theFormatRoundTripsAtTheLargestResolution() throws IOException, TreeFile.InvalidTreeFile {
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(9);
        long[] big = new long[1 << HashTree.MAX_BITS];
        for (int i = 0; i < big.length; i++) {
            big[i] = rnd.nextLong();
        }
        long[] small = new long[1 << HashTree.MIN_BITS];
        small[3] = 42;
        List<byte[]> tombstones = List.of(StoreKeys.dataKey(7, bytes("t1")), StoreKeys.dataKey(7, new byte[505]));
        HashTrees.Saved saved = new HashTrees.Saved(false, List.of(
                new HashTree.Saved(7, HashTree.MIN_BITS, 2, small.clone(), tombstones),
                new HashTree.Saved(StorageEngine.MAX_PARTITION, HashTree.MAX_BITS, 3_000_000, big.clone(), List.of())),
                List.of(0, 8));
        TreeFile.write(dir, 0x1234_5678_9abc_def0L, HashTrees.load(saved));
        assertThat(Files.size(TreeFile.path(dir))).isGreaterThan(8L << 20);
        TreeFile.Contents read = TreeFile.read(dir);
        assertThat(read.token()).isEqualTo(0x1234_5678_9abc_def0L);
        assertThat(read.trees().readyByDefault()).isFalse();
        assertThat(read.trees().notReady()).containsExactly(0, 8);
        assertThat(read.trees().trees()).hasSize(2);
        HashTree.Saved first = read.trees().trees().get(0);
        assertThat(first.partition()).isEqualTo(7);
        assertThat(first.leaves()).isEqualTo(small);
        assertThat(first.tombstoneStoredKeys()).containsExactlyInAnyOrderElementsOf(tombstones);
        HashTree.Saved last = read.trees().trees().get(1);
        assertThat(last.bits()).isEqualTo(HashTree.MAX_BITS);
        assertThat(last.keyCount()).isEqualTo(3_000_000);
        assertThat(last.leaves()).isEqualTo(big);
        HashTrees trees = HashTrees.load(read.trees());
        assertThat(trees.tree(7).tombstoneKeys(10)).hasSize(2);
        assertThat(trees.tree(StorageEngine.MAX_PARTITION).bits()).isEqualTo(HashTree.MAX_BITS);
        assertThat(trees.tree(0).isReady()).isFalse();
        assertThat(trees.tree(9).isReady()).isFalse();
        // A tombstone of another partition is refused.
        TreeFile.write(dir, 1, HashTrees.load(new HashTrees.Saved(true, List.of(new HashTree.Saved(7,
                HashTree.MIN_BITS, 1, new long[1 << HashTree.MIN_BITS], List.of(StoreKeys.dataKey(8, bytes("x"))))),
                List.of())));
        assertThatThrownBy(() -> TreeFile.read(dir)).isInstanceOf(TreeFile.InvalidTreeFile.class);
        assertThat(TreeFile.delete(dir)).isTrue();
        assertThatThrownBy(() -> TreeFile.read(dir)).isInstanceOf(NoSuchFileException.class);
    }

    private LmdbStorageEngine open() {
        return LmdbStorageEngine.open(TestData.config(dir).build());
    }

    /** The store reopens with every tree not ready, says so once, and rebuilds trees that match it. */
    private void assertReopensNotReady() {
        log.list.clear();
        try (LmdbStorageEngine engine = open()) {
            assertThat(Files.exists(TreeFile.path(dir))).as("a void file is deleted").isFalse();
            for (int p : PARTITIONS) {
                TreeReadinessTest.assertNotReady(engine.trees().tree(p));
            }
            assertThat(infoLines()).singleElement().asString().contains("will be rebuilt");
            for (int p : PARTITIONS) {
                TreeTestData.rebuild(engine, p, 50);
                assertMatchesStore(engine, p);
            }
            engine.crash(); // the next check starts from the same (no file) state
        }
    }

    private List<String> infoLines() {
        return log.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static void fill(StorageEngine engine, SplittableRandom rnd) {
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int p = PARTITIONS[rnd.nextInt(PARTITIONS.length)];
            byte[] key = bytes("key-" + rnd.nextInt(200));
            writes.add(rnd.nextInt(4) == 0
                    ? engine.delete(p, key, VersionVector.empty(), A, i)
                    : engine.put(p, key, blind(TreeTestData.ACTORS.get(rnd.nextInt(3)), "v" + i)));
        }
        writes.forEach(TestData::await);
    }

    private static void writeKeys(StorageEngine engine, int p, int n) {
        List<CompletableFuture<SiblingSet>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(engine.put(p, bytes("many-" + i), blind(A, "v")));
        }
        writes.forEach(TestData::await);
    }

    private void resetFrom(Path pristine) {
        copyDirectory(pristine, dir);
    }

    private static void copyDirectory(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
