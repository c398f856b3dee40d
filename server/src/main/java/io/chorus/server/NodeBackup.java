package io.chorus.server;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.storage.ShardedStorageEngine;
import io.chorus.storage.RestoreMarker;
import io.chorus.transport.protocol.BackupResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves BACKUP: writes into {@code DIR/<node-name>/} what a restore of this node needs, and nothing it must not
 * bring back:
 * <ul>
 *   <li>{@code data.mdb}, a consistent compacted copy of the store ({@link ShardedStorageEngine#backup}), with the
 *       {@link RestoreMarker} that makes its first open take a new epoch (a store of several shards: its
 *       {@code store.shards} and a {@code shard-<i>/} of each);</li>
 *   <li>{@code identity.properties}, so that a restore can tell whose data it is (cluster, node, Q); its generation
 *       is only a floor, since a start always takes at least the clock in seconds;</li>
 *   <li>{@code ring.state}, so that a node restored onto an empty disk knows its cluster's ring (without one, a
 *       first seed that hears nobody would create a cluster of its own);</li>
 *   <li>{@value #MANIFEST}, written last: what was copied, when, under which epoch.</li>
 * </ul>
 * Not {@code handoff.state} (the transfers it lists as received may postdate the copy: a restored node does them
 * again) nor {@code hashtrees.bin} (rebuilt by scans) nor {@code node.lock}. Everything is written into a hidden
 * temporary directory beside the target and renamed into place once complete and forced to disk, so a failed or
 * interrupted backup never leaves a directory that looks valid.
 *
 * <p>Each backup runs on a thread of its own (it takes as long as writing the whole store: never on an event loop
 * or the dispatch pool); one at a time per node, a second is refused with OVERLOADED. Thread-safe.
 */
final class NodeBackup {

    static final String MANIFEST = "backup.properties";
    private static final Logger LOG = LoggerFactory.getLogger(NodeBackup.class);

    private final NodeId self;
    private final Path dataDir;
    private final ShardedStorageEngine storage;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    NodeBackup(NodeId self, Path dataDir, ShardedStorageEngine storage, Clock clock) {
        this.self = self;
        this.dataDir = dataDir;
        this.storage = storage;
        this.clock = clock;
    }

    /** Starts a backup under {@code directory} (absolute, on this node's host); completes when it is in place. */
    CompletableFuture<BackupResponse> backup(String directory) {
        if (!running.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.OVERLOADED,
                    "a backup of " + self + " is already running; wait for it to finish"));
        }
        CompletableFuture<BackupResponse> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            // The flag is cleared before the answer goes out, so a backup asked right after it is not refused.
            BackupResponse result = null;
            Throwable failure = null;
            try {
                result = run(Path.of(directory));
            } catch (Throwable t) {
                failure = t;
            } finally {
                running.set(false);
            }
            if (failure == null) {
                done.complete(result);
            } else {
                done.completeExceptionally(failure);
            }
        }, self + "-backup");
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (Throwable t) {
            running.set(false);
            throw t;
        }
        return done;
    }

    private BackupResponse run(Path root) {
        long start = clock.nanoTime();
        Path target = root.resolve(self.name());
        checkTarget(root, target);
        Path temp = root.resolve("." + self.name() + ".partial-" + HexFormat.of().toHexDigits(
                ThreadLocalRandom.current().nextInt()));
        try {
            Files.createDirectories(root);
            Files.createDirectory(temp);
        } catch (IOException e) {
            throw refused(root + " cannot be written: " + reason(e));
        }
        try {
            long bytes = storage.backup(temp);
            bytes += copyIfPresent(NodeIdentity.FILE_NAME, temp);
            bytes += copyIfPresent(NodeMembership.RING_FILE, temp);
            String manifest = "# A backup of a Chorus node: restore it with 'chorus restore'.\n"
                    + "format=1\n"
                    + "node_name=" + self.name() + "\n"
                    + "source_epoch=" + storage.epoch() + "\n"
                    + "created=" + Instant.ofEpochMilli(clock.currentTimeMillis()) + "\n";
            byte[] text = manifest.getBytes(StandardCharsets.UTF_8);
            DurableFiles.write(temp.resolve(MANIFEST), text);
            bytes += text.length;
            RestoreMarker.forceDirectory(temp);
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty, checked above; the rename needs it gone
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            RestoreMarker.forceDirectory(root);
            long tookMillis = (clock.nanoTime() - start) / 1_000_000;
            LOG.info("{}: backup of {} bytes written to {} in {} ms", self, bytes, target, tookMillis);
            return new BackupResponse(target.toString(), bytes, tookMillis);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            if (e instanceof ChorusException c) {
                throw c;
            }
            if (e instanceof IllegalArgumentException) {
                throw refused(e.getMessage());
            }
            LOG.warn("{}: backup to {} failed: {}", self, target, e.toString());
            throw new ChorusException(ErrorCode.INTERNAL, "backup to " + target + " failed: " + reason(e), e);
        }
    }

    /** A target that exists must be an empty directory: a backup never replaces or mixes into another. */
    private void checkTarget(Path root, Path target) {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw refused(root + " exists and is not a directory");
        }
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw refused(target + " exists and is not a directory");
        }
        try (Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw refused(target + " exists and is not empty (a backup is never written over another)");
            }
        } catch (IOException e) {
            throw refused(target + " cannot be read: " + reason(e));
        }
    }

    private long copyIfPresent(String name, Path into) throws IOException {
        Path from = dataDir.resolve(name);
        if (!Files.exists(from)) {
            return 0;
        }
        // Both files are replaced by rename, never written in place: a copy is the old or the new one, whole.
        byte[] content = Files.readAllBytes(from);
        DurableFiles.write(into.resolve(name), content);
        return content.length;
    }

    private static ChorusException refused(String why) {
        return new ChorusException(ErrorCode.BAD_REQUEST, why);
    }

    /** One line: a file system error's kind ("AccessDeniedException") and its OS reason, if any. */
    private static String reason(Exception e) {
        if (e instanceof FileSystemException f) {
            return f.getClass().getSimpleName() + (f.getReason() != null ? " (" + f.getReason() + ")" : "");
        }
        return String.valueOf(e.getMessage());
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a hidden .partial directory is never taken for a backup
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
