package io.chorus.server;

import io.chorus.core.error.ChorusException;
import io.chorus.storage.RestoreMarker;
import io.chorus.storage.StoreLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Restores a node's backup (a directory {@code BACKUP} wrote, or a copy of a stopped node's data directory made by
 * hand) into its data directory, offline, under the directory's {@link DataDirLock} (so never while the node runs):
 * <ol>
 *   <li>refuses a backup and a data directory whose identities name different clusters, nodes or Q, and a backup
 *       whose owner cannot be told (no identity in either);</li>
 *   <li>refuses a backup whose store has another shard count than the one in the data directory
 *       ({@link StoreLayout}): the node's {@code storage_shards} must be the backup's;</li>
 *   <li>writes the {@link RestoreMarker} into the data directory (into each shard's directory, for a store of
 *       several), then copies the backup's {@code data.mdb} beside the current one, forces it, and renames it over
 *       it (so a crash leaves the old store or the new one, each with the marker: the next open takes a new epoch
 *       either way, which costs nothing; a sharded store's epoch mixes its shards', so one restored shard is
 *       enough to make the node a new actor);</li>
 *   <li>keeps the data directory's identity when it has one (its generation is the newest), else takes the
 *       backup's: a start's generation is at least the clock in seconds, so it still grows past what peers hold;</li>
 *   <li>keeps the data directory's {@code ring.state} (newer than the backup's), else takes the backup's;</li>
 *   <li>removes {@code handoff.state} (transfers it lists as received may postdate the backup: they are done again)
 *       and {@code hashtrees.bin} (rebuilt by scans), and LMDB's {@code lock.mdb} (recreated at open).</li>
 * </ol>
 * Stateless.
 */
public final class NodeRestore {

    static final String STORE = "data.mdb";
    private static final String LMDB_LOCK = "lock.mdb";
    private static final String TREE_FILE = "hashtrees.bin";
    private static final String PARTIAL = STORE + ".restoring";
    /** What a data directory may hold without an identity and still be restored into. */
    private static final Set<String> EMPTY_ENOUGH = Set.of(DataDirLock.FILE_NAME, PARTIAL, RestoreMarker.FILE_NAME);

    private NodeRestore() {
    }

    /** A restore that cannot be done as asked; its message is one line for the operator. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * What was restored.
     *
     * @param identity     the identity the data directory has now (its generation grows at the next start)
     * @param bytes        the size of the store copied in
     * @param keptIdentity whether the data directory's own identity was kept (else the backup's was taken)
     * @param ringFrom     where {@code ring.state} comes from: "data dir", "backup" or "none"
     */
    public record Result(NodeIdentity identity, long bytes, boolean keptIdentity, String ringFrom) {
    }

    public static Result restore(Path backup, Path dataDir) {
        int shards = backupShards(backup);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new Refused("cannot create " + dataDir + ": " + e);
        }
        DataDirLock lock;
        try {
            lock = DataDirLock.acquire(dataDir);
        } catch (StartupException e) {
            throw new Refused(e.getMessage() + ": stop the node before restoring");
        }
        try (lock) {
            return restoreLocked(backup, dataDir, shards);
        } catch (ChorusException e) {
            throw new Refused(e.getMessage()); // the data directory's store has another shard count
        } catch (StartupException e) {
            throw new Refused(e.getMessage()); // a damaged identity file, either side
        } catch (IOException | UncheckedIOException e) {
            throw new Refused("restore into " + dataDir + " failed: " + e.getMessage()
                    + " (the data directory holds its old store or the backup's, and the next start takes a new"
                    + " epoch; run the restore again)");
        }
    }

    /** The backup's shard count, once every shard's store is seen to be there. */
    private static int backupShards(Path backup) {
        int shards;
        try {
            shards = StoreLayout.recorded(backup);
        } catch (ChorusException | UncheckedIOException e) {
            throw new Refused(backup + " is not a backup of a node: " + e.getMessage());
        }
        for (int i = 0; i < shards; i++) {
            Path dir = StoreLayout.environmentDir(backup, shards, i);
            if (!Files.isRegularFile(dir.resolve(STORE))) {
                throw new Refused(backup + " is not a backup of a node: it has no " + backup.relativize(
                        dir.resolve(STORE)) + " (give the node's directory inside the backup, BACKUP_DIR/<node-name>)");
            }
        }
        return shards;
    }

    private static Result restoreLocked(Path backup, Path dataDir, int shards) throws IOException {
        Optional<NodeIdentity> fromBackup = NodeIdentity.read(backup);
        Optional<NodeIdentity> current = NodeIdentity.read(dataDir);
        if (fromBackup.isPresent() && current.isPresent()) {
            NodeIdentity b = fromBackup.get();
            NodeIdentity c = current.get();
            if (!b.clusterName().equals(c.clusterName()) || !b.nodeName().equals(c.nodeName())
                    || b.partitions() != c.partitions()) {
                throw new Refused(dataDir + " belongs to node " + c.nodeName() + " of cluster " + c.clusterName()
                        + " (Q = " + c.partitions() + "), the backup to node " + b.nodeName() + " of cluster "
                        + b.clusterName() + " (Q = " + b.partitions() + "): restore a node's backup into its own"
                        + " data directory, or into an empty one");
            }
        } else if (current.isEmpty()) {
            if (fromBackup.isEmpty()) {
                throw new Refused("neither " + backup + " nor " + dataDir + " has an " + NodeIdentity.FILE_NAME
                        + ", so whose data this is cannot be told: copy the node's " + NodeIdentity.FILE_NAME
                        + " into the backup");
            }
            String other = firstOtherEntry(dataDir);
            if (other != null) {
                throw new Refused(dataDir + " is not empty and has no " + NodeIdentity.FILE_NAME + " (it has " + other
                        + "): restore into the node's own data directory or an empty one");
            }
        }
        StoreLayout.check(dataDir, shards); // records the count in a new directory before any shard is made
        long bytes = 0;
        for (int i = 0; i < shards; i++) {
            bytes += restoreStore(StoreLayout.environmentDir(backup, shards, i),
                    StoreLayout.environmentDir(dataDir, shards, i));
        }
        Files.deleteIfExists(dataDir.resolve(NodeMembership.HANDOFF_FILE));
        boolean keptIdentity = current.isPresent();
        if (!keptIdentity) {
            DurableFiles.write(dataDir.resolve(NodeIdentity.FILE_NAME),
                    Files.readAllBytes(backup.resolve(NodeIdentity.FILE_NAME)));
        }
        String ringFrom = "data dir";
        if (!Files.exists(dataDir.resolve(NodeMembership.RING_FILE))) {
            Path ring = backup.resolve(NodeMembership.RING_FILE);
            if (Files.exists(ring)) {
                DurableFiles.write(dataDir.resolve(NodeMembership.RING_FILE), Files.readAllBytes(ring));
                ringFrom = "backup";
            } else {
                ringFrom = "none";
            }
        }
        RestoreMarker.forceDirectory(dataDir);
        return new Result(NodeIdentity.read(dataDir).orElseThrow(), bytes, keptIdentity, ringFrom);
    }

    /** Copies one LMDB store ({@code from/data.mdb}) into {@code into}, marked for a new epoch; returns its size. */
    private static long restoreStore(Path from, Path into) throws IOException {
        Files.createDirectories(into);
        // The marker first: from here on, whichever store the directory holds takes a new epoch at its next open.
        RestoreMarker.write(into);
        Path partial = into.resolve(PARTIAL);
        Files.copy(from.resolve(STORE), partial, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.deleteIfExists(into.resolve(LMDB_LOCK));
        Files.move(partial, into.resolve(STORE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(into.resolve(TREE_FILE));
        RestoreMarker.forceDirectory(into);
        return Files.size(into.resolve(STORE));
    }

    private static String firstOtherEntry(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !EMPTY_ENOUGH.contains(n)).sorted()
                    .findFirst().orElse(null);
        }
    }
}
