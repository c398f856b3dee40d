package io.chorus.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;

/**
 * Ordered iteration over the keys with a prefix, a chunk per read transaction. Each chunk is read and decoded
 * inside a short transaction, which is released before the visitor sees the chunk; the next chunk seeks past the
 * last key seen. So a long scan holds no snapshot (which would stop LMDB from reusing freed pages and keep the
 * writer from growing the map), cannot leak a transaction whatever the visitor does, and the visitor may use the
 * engine. The price: not a snapshot across chunks. Stateless.
 */
final class ChunkedScan {

    static final int CHUNK_ENTRIES = 256;
    static final long CHUNK_BYTES = 4L << 20;

    /** Turns a stored value into what the visitor gets, inside the transaction; must copy what it keeps. */
    interface Decoder<V> {
        V decode(byte[] storedKey, ByteBuffer value);
    }

    /** Gets each entry outside the transaction; returns whether to go on. */
    interface Sink<V> {
        boolean accept(byte[] storedKey, V value);
    }

    private ChunkedScan() {
    }

    static <V> void run(ReadContexts readers, Dbi<ByteBuffer> dbi, byte[] prefix, Decoder<V> decoder, Sink<V> sink) {
        List<byte[]> keys = new ArrayList<>();
        List<V> values = new ArrayList<>();
        byte[] resumeAfter = null;
        while (true) {
            boolean more = readChunk(readers, dbi, prefix, resumeAfter, decoder, keys, values);
            for (int i = 0; i < keys.size(); i++) {
                if (!sink.accept(keys.get(i), values.get(i))) {
                    return;
                }
            }
            if (!more || keys.isEmpty()) {
                return;
            }
            resumeAfter = keys.get(keys.size() - 1);
            keys.clear();
            values.clear();
        }
    }

    /** Fills one chunk; returns whether keys with the prefix remain after it. */
    private static <V> boolean readChunk(ReadContexts readers, Dbi<ByteBuffer> dbi, byte[] prefix, byte[] resumeAfter,
            Decoder<V> decoder, List<byte[]> keys, List<V> values) {
        return readers.read(r -> {
            try (Cursor<ByteBuffer> c = dbi.openCursor(r.txn())) {
                boolean found;
                if (resumeAfter != null) {
                    found = c.get(r.key(resumeAfter), GetOp.MDB_SET_RANGE);
                    if (found && sameKey(c.key(), resumeAfter)) {
                        found = c.next();
                    }
                } else {
                    found = prefix.length == 0 ? c.first() : c.get(r.key(prefix), GetOp.MDB_SET_RANGE);
                }
                long bytes = 0;
                while (found && StoreKeys.startsWith(c.key(), prefix)) {
                    if (keys.size() >= CHUNK_ENTRIES || bytes >= CHUNK_BYTES) {
                        return true;
                    }
                    byte[] key = StoreKeys.copy(c.key(), 0);
                    ByteBuffer value = c.val();
                    bytes += key.length + value.remaining();
                    values.add(decoder.decode(key, value));
                    keys.add(key);
                    found = c.next();
                }
                return false;
            }
        }, () -> "scanning keys with prefix " + StoreKeys.hex(prefix, 0));
    }

    private static boolean sameKey(ByteBuffer key, byte[] expected) {
        return key.remaining() == expected.length && StoreKeys.startsWith(key, expected);
    }

    static byte[] stripPrefix(byte[] storedKey) {
        return Arrays.copyOfRange(storedKey, StoreKeys.HEADER_LENGTH, storedKey.length);
    }
}
