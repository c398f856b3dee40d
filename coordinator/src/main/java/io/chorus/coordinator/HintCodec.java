package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.NodeId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The stored form of a {@link Hint} in the "hints" area.
 *
 * <pre>
 * key   = ownerUtf8  0x00  sequence:u64be
 * value = format:u8(=1)  partition:varint  key:bytes  value:siblingset  createdAtMillis:varint
 * </pre>
 *
 * A node id never contains a control character, so {@code 0x00} ends it unambiguously and
 * {@code ownerUtf8 0x00} is the prefix of all of one owner's hints; the big-endian sequence keeps them in the
 * order they were written. Stateless.
 */
final class HintCodec {

    static final int FORMAT_V1 = 1;
    private static final byte SEPARATOR = 0;
    private static final int SEQUENCE_BYTES = 8;

    private HintCodec() {
    }

    /** The scan prefix of every hint for {@code owner}. */
    static byte[] ownerPrefix(NodeId owner) {
        byte[] name = owner.name().getBytes(StandardCharsets.UTF_8);
        byte[] prefix = new byte[name.length + 1];
        System.arraycopy(name, 0, prefix, 0, name.length);
        prefix[name.length] = SEPARATOR;
        return prefix;
    }

    static byte[] key(NodeId owner, long sequence) {
        byte[] prefix = ownerPrefix(owner);
        byte[] key = new byte[prefix.length + SEQUENCE_BYTES];
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        for (int i = 0; i < SEQUENCE_BYTES; i++) {
            key[prefix.length + i] = (byte) (sequence >>> (56 - 8 * i));
        }
        return key;
    }

    static byte[] value(Hint hint) {
        BodyWriter w = new BodyWriter(hint.key().length + 64).u8(FORMAT_V1).varint(hint.partition())
                .bytes(hint.key());
        return PeerFields.siblingSet(w, hint.value()).varint(hint.createdAtMillis()).toArray();
    }

    /** The sequence number in a stored key. */
    static long sequence(byte[] storedKey) {
        int at = separatorIndex(storedKey);
        long seq = 0;
        for (int i = at + 1; i < storedKey.length; i++) {
            seq = seq << 8 | (storedKey[i] & 0xFF);
        }
        return seq;
    }

    /** The owner named in a stored key; a name that is not exactly its UTF-8 bytes does not decode. */
    static NodeId owner(byte[] storedKey) {
        int at = separatorIndex(storedKey);
        NodeId owner;
        try {
            owner = new NodeId(new String(storedKey, 0, at, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException("hint owner: " + e.getMessage());
        }
        // Invalid UTF-8 decodes with replacement characters into some other name, whose key range this record
        // is not in: replay would never find it, so it must not pass as that owner's.
        if (!Arrays.equals(ownerPrefix(owner), 0, at + 1, storedKey, 0, at + 1)) {
            throw new MalformedEncodingException("hint owner is not valid UTF-8");
        }
        return owner;
    }

    static Hint decode(byte[] storedKey, byte[] storedValue) {
        NodeId owner = owner(storedKey);
        ByteReader r = new ByteReader(storedValue);
        int format = r.u8("hint format");
        if (format != FORMAT_V1) {
            throw new MalformedEncodingException("hint format " + format + " is not supported");
        }
        int partition = PeerFields.partition(r);
        byte[] key = PeerFields.key(r);
        SiblingSet value = PeerFields.siblingSet(r, "hint value");
        long createdAt = r.varlong("hint createdAtMillis");
        r.expectEnd("hint");
        return new Hint(owner, sequence(storedKey), partition, key, value, createdAt);
    }

    private static int separatorIndex(byte[] storedKey) {
        int at = storedKey.length - SEQUENCE_BYTES - 1;
        if (at < 1 || storedKey[at] != SEPARATOR) {
            throw new MalformedEncodingException("hint key of " + storedKey.length + " bytes is not owner 0x00 seq");
        }
        return at;
    }
}
