package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * How many shards a data directory's store has: the file {@value #FILE_NAME} (one line, {@code shards=S}), written
 * and forced before the first shard is created, so a crash during the first open never leaves shards that a later
 * open with another count would take for its own. A one-shard store has no such file and keeps LMDB's files in the
 * directory itself, as every store did before shards. Stateless.
 */
public final class StoreLayout {

    public static final String FILE_NAME = "store.shards";
    /** More shards than cores times a few only adds writer threads; 64 keeps a typo from making thousands. */
    public static final int MAX_SHARDS = 64;
    private static final String LMDB_DATA = "data.mdb";

    private StoreLayout() {
    }

    /** Where shard {@code index} of a store in {@code dir} lives. */
    public static Path shardDir(Path dir, int index) {
        return dir.resolve("shard-" + index);
    }

    /** The LMDB environment of shard {@code index} of a store of {@code shards}: {@code dir} itself for one. */
    public static Path environmentDir(Path dir, int shards, int index) {
        return shards == 1 ? dir : shardDir(dir, index);
    }

    /**
     * The shard count a directory's store was made with: the layout file's, else 1 (an existing one-shard store,
     * or none yet).
     *
     * @throws UncheckedIOException when the file cannot be read; ChorusException CORRUPT when it does not parse
     */
    public static int recorded(Path dir) {
        String text;
        try {
            text = Files.readString(dir.resolve(FILE_NAME), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return 1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(FILE_NAME), e);
        }
        String prefix = "shards=";
        try {
            if (!text.startsWith(prefix)) {
                throw new NumberFormatException(text);
            }
            int n = Integer.parseInt(text.substring(prefix.length()).strip());
            checkCount(n);
            return n;
        } catch (IllegalArgumentException e) {
            throw new ChorusException(ErrorCode.CORRUPT,
                    dir.resolve(FILE_NAME) + " does not say 'shards=N' with N from 1 to " + MAX_SHARDS + ": "
                            + text);
        }
    }

    /**
     * Checks that {@code dir} holds a store of {@code shards} shards or none yet, and records the count of a new
     * store of more than one.
     *
     * @throws ChorusException BAD_REQUEST when it holds a store of another count
     */
    public static void check(Path dir, int shards) {
        checkCount(shards);
        if (Files.exists(dir.resolve(FILE_NAME))) {
            int recorded = recorded(dir);
            if (recorded != shards) {
                throw mismatch(dir, recorded, FILE_NAME, shards);
            }
        } else if (shards > 1) {
            if (Files.exists(dir.resolve(LMDB_DATA))) {
                throw mismatch(dir, 1, LMDB_DATA, shards);
            }
            write(dir, shards);
        }
    }

    private static ChorusException mismatch(Path dir, int recorded, String evidence, int shards) {
        return new ChorusException(ErrorCode.BAD_REQUEST, dir + " holds a store of " + recorded + " shard"
                + (recorded == 1 ? "" : "s") + " (" + evidence + "), not " + shards + ": start with " + recorded
                + ", or wipe the node and let anti-entropy refill it with the new count");
    }

    /** Whether a directory entry of this name is part of a store: LMDB's files, the layout file, a shard. */
    public static boolean isStoreEntry(String name) {
        return name.equals(LMDB_DATA) || name.equals("lock.mdb") || name.equals(FILE_NAME)
                || name.matches("shard-[0-9]+");
    }

    /** Records {@code shards} in an empty backup directory, before the shards' copies go in. */
    static void createForBackup(Path target, int shards) throws IOException {
        Files.createDirectories(target);
        try (var entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(target + " is not empty");
            }
        }
        write(target, shards);
    }

    /** Throws IllegalArgumentException unless {@code shards} is 1 to {@value #MAX_SHARDS}. */
    public static void checkCount(int shards) {
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException("storage shards must be 1 to " + MAX_SHARDS + ", got " + shards);
        }
    }

    /** Writes the file beside, forces it, renames it into place and forces the directory. */
    private static void write(Path dir, int shards) {
        Path file = dir.resolve(FILE_NAME);
        Path temp = dir.resolve(FILE_NAME + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(("shards=" + shards + "\n").getBytes(StandardCharsets.US_ASCII));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        RestoreMarker.forceDirectory(dir);
    }
}
