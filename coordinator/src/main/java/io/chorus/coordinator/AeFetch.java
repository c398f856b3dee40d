package io.chorus.coordinator;

import io.chorus.core.codec.BodyWriter;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import java.util.Arrays;
import java.util.List;

/**
 * AE_FETCH: {@code partition:varint count:varint key:bytes*count}, 1 to 1024 keys. Asks for the receiver's whole
 * stored sibling set of each key. The reply is {@code count:varint (key:bytes set:siblingset)*count}: the first
 * {@code count} keys of the request (at least one, at most all), in the request's order, each with its set (the
 * empty set for a key not held). A receiver stops early rather than build a reply over its budget; the asker asks
 * again for the rest. Immutable by convention: the key arrays are not copied (package-internal message).
 */
record AeFetch(int partition, List<byte[]> keys) {

    AeFetch {
        AeFields.checkPartition(partition);
        keys = List.copyOf(keys);
        AeFields.checkKeys(keys);
    }

    Message encode() {
        BodyWriter w = new BodyWriter(AeFields.keysSize(keys)).varint(partition);
        return Message.adopt(PeerOpcodes.AE_FETCH, AeFields.keys(w, keys).toArray());
    }

    static AeFetch decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int partition = PeerFields.partition(r);
        int count = AeFields.count(r, "key count", AeLimits.MAX_KEYS, AeFields.MIN_KEY_BYTES);
        List<byte[]> keys = AeFields.keys(r, count);
        r.expectEnd("AE_FETCH");
        return AeFields.construct("AE_FETCH", () -> new AeFetch(partition, keys));
    }

    /** The answer: the first {@code entries.size()} keys of the request, in its order, with their sets. Immutable. */
    record Reply(List<AeEntry> entries) {

        Reply {
            entries = List.copyOf(entries);
            AeFields.checkCount("entry count", entries.size(), AeLimits.MAX_KEYS);
        }

        Message encode() {
            BodyWriter w = new BodyWriter(AeEntry.sizeHint(entries));
            return Message.adopt(PeerOpcodes.AE_FETCH, AeEntry.write(w, entries).toArray());
        }

        /** Decodes the reply to {@code request}: 1 to all of its keys, the first ones, in its order. */
        static Reply decode(byte[] body, AeFetch request) {
            ByteReader r = new ByteReader(body);
            int count = AeFields.count(r, "entry count", request.keys().size(), AeEntry.MIN_BYTES);
            List<AeEntry> entries = AeEntry.read(r, count, "set");
            r.expectEnd("AE_FETCH reply");
            for (int i = 0; i < count; i++) {
                if (!Arrays.equals(entries.get(i).key(), request.keys().get(i))) {
                    throw new MalformedEncodingException("AE_FETCH reply: entry " + i + " is not the request's key "
                            + i);
                }
            }
            return new Reply(entries);
        }
    }
}
