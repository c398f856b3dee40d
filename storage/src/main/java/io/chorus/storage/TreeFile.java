package io.chorus.storage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The hash trees saved at a clean close, so that the next open serves them at once instead of rebuilding every
 * partition by a scan. The file is only as good as its token: the engine writes a random 64-bit token into the
 * file and the same one into the meta database ({@link MetaStore#putTreeToken}) after the writer's last batch, and
 * at open deletes the token (committed) before the writer accepts a write. A file whose token is not the meta
 * database's is from another time (a crash since, a copy put back) and is ignored: the trees are rebuilt.
 *
 * <p>Format, big-endian, version 1:
 * <pre>
 *   header:  magic "CHTR" (u32) | version u32 | token u64
 *   body:    flags u8 (bit 0: a partition the file does not name is ready and empty)
 *            per ready tree, by ascending partition: 1 (u8) | partition u16 | bits u8 (8..20) | keys u64 |
 *                2^bits leaves u64 | tombstone-only key count u32, each: length u16 | stored key
 *            0 (u8)
 *            not-ready count u32, each: partition u16 (ascending, none named above)
 *   trailer: CRC32C u32 of header and body
 * </pre>
 * A tree of 2^20 leaves takes 8 MiB. Trees are written one at a time, each copied under its monitor, so saving
 * needs memory for one tree, not for all. Reading checks every field against its bounds before using it (no
 * allocation larger than what the rest of the file can hold) and the whole file against the checksum before
 * anything is installed. Stateless.
 */
final class TreeFile {

    static final String NAME = "hashtrees.bin";
    static final int MAGIC = 0x43485452; // "CHTR"
    static final int VERSION = 1;
    /** magic, version, token. */
    static final int HEADER_LENGTH = 4 + 4 + 8;
    static final int TRAILER_LENGTH = 4;

    private TreeFile() {
    }

    /** A file that cannot be used, with why. */
    static final class InvalidTreeFile extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidTreeFile(String why) {
            super(why);
        }
    }

    /** What a valid file holds. */
    record Contents(long token, HashTrees.Saved trees) {
    }

    static Path path(Path dataDir) {
        return dataDir.resolve(NAME);
    }

    /**
     * Writes the file durably: to a temporary file, forced to disk, renamed over {@link #NAME}, and the directory
     * forced, so the name never points at a partial file. Call when no write runs (the writer stopped), so that
     * each ready tree agrees with the store; a tree found not ready is listed as such.
     */
    static void write(Path dataDir, long token, HashTrees trees) throws IOException {
        Path target = path(dataDir);
        Path tmp = dataDir.resolve(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                    new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16), crc));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(token);
            out.writeByte(trees.readyByDefault() ? 1 : 0);
            List<Integer> notReady = new ArrayList<>();
            for (HashTree tree : trees.sorted()) {
                HashTree.Saved t = tree.save();
                if (t == null) {
                    notReady.add(tree.partition());
                    continue;
                }
                out.writeByte(1);
                out.writeShort(t.partition());
                out.writeByte(t.bits());
                out.writeLong(t.keyCount());
                for (long leaf : t.leaves()) {
                    out.writeLong(leaf);
                }
                out.writeInt(t.tombstoneStoredKeys().size());
                for (byte[] k : t.tombstoneStoredKeys()) {
                    out.writeShort(k.length);
                    out.write(k);
                }
            }
            out.writeByte(0);
            out.writeInt(notReady.size());
            for (int p : notReady) {
                out.writeShort(p);
            }
            out.writeInt((int) crc.getValue()); // of everything before it
            out.flush(); // the stream is not closed: the channel is, by its try
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dataDir);
    }

    /**
     * Reads and checks a file.
     *
     * @throws NoSuchFileException when there is none
     * @throws InvalidTreeFile when it is damaged or of another format
     */
    static Contents read(Path dataDir) throws IOException, InvalidTreeFile {
        Path file = path(dataDir);
        long size = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CRC32C crc = new CRC32C();
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            if (size < HEADER_LENGTH + TRAILER_LENGTH) {
                throw new InvalidTreeFile("too short (" + size + " bytes)");
            }
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new InvalidTreeFile("not a tree file (magic " + Integer.toHexString(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new InvalidTreeFile("version " + version + ", expected " + VERSION);
            }
            long token = in.readLong();
            Body body = new Body(in, size - HEADER_LENGTH - TRAILER_LENGTH);
            HashTrees.Saved trees = body.read();
            int expected = (int) crc.getValue();
            int stored = new DataInputStream(raw).readInt();
            if (stored != expected) {
                throw new InvalidTreeFile("checksum mismatch");
            }
            if (raw.read() != -1) {
                throw new InvalidTreeFile("bytes after the checksum");
            }
            return new Contents(token, trees);
        } catch (EOFException e) {
            throw new InvalidTreeFile("truncated");
        }
    }

    /** Deletes the file and any temporary one; true if there was a file. */
    static boolean delete(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(NAME + ".tmp"));
        return Files.deleteIfExists(path(dataDir));
    }

    /** The body's reader: every count is checked against the bytes left before anything is allocated for it. */
    private static final class Body {
        private final DataInputStream in;
        private long left;

        Body(DataInputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        HashTrees.Saved read() throws IOException, InvalidTreeFile {
            int flags = u8();
            if ((flags & ~1) != 0) {
                throw new InvalidTreeFile("unknown flags " + flags);
            }
            List<HashTree.Saved> trees = new ArrayList<>();
            Set<Integer> named = new HashSet<>();
            int last = -1;
            for (int marker = u8(); marker != 0; marker = u8()) {
                if (marker != 1) {
                    throw new InvalidTreeFile("unknown record " + marker);
                }
                int p = u16();
                if (p <= last) {
                    throw new InvalidTreeFile("trees out of partition order");
                }
                last = p;
                named.add(p);
                int bits = u8();
                if (bits < HashTree.MIN_BITS || bits > HashTree.MAX_BITS) {
                    throw new InvalidTreeFile("partition " + p + ": " + bits + " bits");
                }
                long keys = s64();
                if (keys < 0) {
                    throw new InvalidTreeFile("partition " + p + ": " + keys + " keys");
                }
                take(8L << bits);
                long[] leaves = new long[1 << bits];
                for (int j = 0; j < leaves.length; j++) {
                    leaves[j] = in.readLong();
                }
                int tombstoneCount = count(2 + StoreKeys.HEADER_LENGTH + 1);
                if (tombstoneCount > keys) {
                    throw new InvalidTreeFile("partition " + p + ": more tombstones than keys");
                }
                List<byte[]> tombstones = new ArrayList<>(tombstoneCount);
                byte[] prefix = StoreKeys.prefix(p);
                for (int j = 0; j < tombstoneCount; j++) {
                    int length = u16();
                    if (length <= StoreKeys.HEADER_LENGTH || length > StoreKeys.LMDB_MAX_KEY) {
                        throw new InvalidTreeFile("partition " + p + ": a stored key of " + length + " bytes");
                    }
                    take(length);
                    byte[] k = new byte[length];
                    in.readFully(k);
                    if (!Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                        throw new InvalidTreeFile("partition " + p + ": a tombstone of another partition");
                    }
                    tombstones.add(k);
                }
                trees.add(new HashTree.Saved(p, bits, keys, leaves, tombstones));
            }
            int notReadyCount = count(2);
            List<Integer> notReady = new ArrayList<>(notReadyCount);
            last = -1;
            for (int i = 0; i < notReadyCount; i++) {
                int p = u16();
                if (p <= last) {
                    throw new InvalidTreeFile("not-ready partitions out of order");
                }
                if (named.contains(p)) {
                    throw new InvalidTreeFile("partition " + p + " both ready and not");
                }
                notReady.add(p);
                last = p;
            }
            if (left != 0) {
                throw new InvalidTreeFile(left + " bytes of the body unread");
            }
            return new HashTrees.Saved((flags & 1) != 0, trees, notReady);
        }

        /** A u32 count of items of at least {@code minBytes} each, which the rest of the body must be able to hold. */
        private int count(long minBytes) throws IOException, InvalidTreeFile {
            take(4);
            long n = Integer.toUnsignedLong(in.readInt());
            if (n * minBytes > left) {
                throw new InvalidTreeFile("a count of " + n + " does not fit in the " + left + " bytes left");
            }
            return (int) n;
        }

        private int u8() throws IOException, InvalidTreeFile {
            take(1);
            return in.readUnsignedByte();
        }

        private int u16() throws IOException, InvalidTreeFile {
            take(2);
            return in.readUnsignedShort();
        }

        private long s64() throws IOException, InvalidTreeFile {
            take(8);
            return in.readLong();
        }

        private void take(long n) throws InvalidTreeFile {
            if (n > left) {
                throw new InvalidTreeFile("body shorter than its contents");
            }
            left -= n;
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be opened and forced; the rename is then as durable as it gets.
        }
    }
}
