package io.chorus.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file {@value #FILE_NAME} beside a store that says "this store is a copy: take a new epoch before the next
 * write". A copy of a store carries the epoch it was made under, and the node it came from went on stamping dots
 * (actor, counter) after the copy; a node restored from it and keeping that epoch would stamp the same dots again
 * for different writes, and replicas that hold the later ones would take the new writes for ones they already have
 * (a lost acknowledged write, Riak's riak_kv#679). {@link LmdbStorageEngine#backup} puts the marker in every copy
 * and the restore command puts it in every directory it restores; the engine's open takes a new epoch, commits and
 * syncs it, and only then removes the marker, so a crash in between costs one more new epoch, which is harmless.
 * Stateless.
 */
public final class RestoreMarker {

    public static final String FILE_NAME = "restore.epoch";

    private RestoreMarker() {
    }

    public static boolean present(Path dir) {
        return Files.exists(dir.resolve(FILE_NAME));
    }

    /** Writes the marker into {@code dir} and forces it (and the directory entry) to disk. */
    public static void write(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        byte[] text = ("# This store is a copy: the next open takes a new storage epoch (a new actor), so that\n"
                + "# its writes never reuse a dot of the node it was copied from. Removed once done.\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(text);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        forceDirectory(dir);
    }

    /** Removes the marker, durably; only once the new epoch is committed and synced. */
    static void remove(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILE_NAME));
        forceDirectory(dir);
    }

    /** Forces a directory's entries to disk, where the file system can (some cannot fsync a directory). */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // The entries are then as durable as the file system makes them.
        }
    }
}
