package io.chorus.transport.protocol;

import io.chorus.core.NodeId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Shared encode/decode steps of the message bodies: sizes, length-prefixed fields, u16, keys, contexts, N/R/W, and
 * the names, words, addresses and enums of the membership admin messages. Encoders compute the exact size first and
 * write into one array, so a body costs one allocation; the rare admin bodies with lists use {@link BodyWriter}.
 * Stateless.
 */
final class Wire {

    private Wire() {
    }

    static int bytesSize(int length) {
        return Varint.size(length) + length;
    }

    static void putBytes(ByteBuffer out, byte[] bytes) {
        Varint.write(out, bytes.length);
        out.put(bytes);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void putU16(ByteBuffer out, int value) {
        out.putShort((short) value);
    }

    static int u16(ByteReader r, String what) {
        return (r.u8(what) << 8) | r.u8(what);
    }

    /** Fails unless the whole array was filled: a size computation that disagrees with the writer is a bug. */
    static byte[] finish(ByteBuffer out) {
        if (out.hasRemaining()) {
            throw new IllegalStateException("encoder size mismatch: " + out.remaining() + " bytes unwritten");
        }
        return out.array();
    }

    /**
     * Builds a record from decoded fields. A record's constructor rejects bad fields with IllegalArgumentException
     * (a caller's bug when building); from the wire the same failure is a malformed body.
     */
    static <T> T construct(String what, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(what + ": " + e.getMessage());
        }
    }

    // ---- keys ----

    static void checkKey(byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (key.length > ProtocolLimits.MAX_KEY_BYTES) {
            throw new LimitExceededException(ErrorCode.TOO_LARGE, "key length", key.length,
                    ProtocolLimits.MAX_KEY_BYTES);
        }
    }

    /**
     * A key. Its length is not capped here, so that an over-long key reaches {@link #checkKey} and gets TOO_LARGE
     * (not BAD_REQUEST), as the spec says; the reader never allocates more than the body holds.
     */
    static byte[] readKey(ByteReader r) {
        return r.bytes("key", Integer.MAX_VALUE);
    }

    // ---- names ----

    /** Names follow the node id rules: 1 to 255 bytes of UTF-8, no whitespace or control characters. */
    static void checkName(String what, String name) {
        try {
            new NodeId(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    static NodeId readNode(ByteReader r, String what) {
        String name = r.utf8(what, ProtocolLimits.MAX_NAME_BYTES);
        return construct(what, () -> new NodeId(name));
    }

    /** The empty string stands for no node: a node id is never empty. */
    static String optionalNodeName(Optional<NodeId> node) {
        return node.map(NodeId::name).orElse("");
    }

    static Optional<NodeId> readOptionalNode(ByteReader r, String what) {
        String name = r.utf8(what, ProtocolLimits.MAX_NAME_BYTES);
        return name.isEmpty() ? Optional.empty() : Optional.of(construct(what, () -> new NodeId(name)));
    }

    // ---- text, words and addresses ----

    /** Text that survives UTF-8 both ways (no unpaired surrogate), at most {@code maxBytes} of it encoded. */
    static void checkText(String what, String text, int maxBytes) {
        if (text == null) {
            throw new IllegalArgumentException(what + " must be given");
        }
        byte[] utf8 = utf8(text);
        if (!new String(utf8, StandardCharsets.UTF_8).equals(text)) {
            throw new IllegalArgumentException(what + " is not valid Unicode (unpaired surrogate)");
        }
        if (utf8.length > maxBytes) {
            throw new IllegalArgumentException(what + " is " + utf8.length + " UTF-8 bytes, over " + maxBytes);
        }
    }

    /** Text without whitespace or control characters, as node ids and zones are: a CLI can print it in columns. */
    static void checkWord(String what, String text, int maxBytes) {
        checkText(what, text, maxBytes);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                throw new IllegalArgumentException(what + " contains whitespace or a control character: '" + text
                        + "'");
            }
        }
    }

    /** {@code host:port}: a word with a non-empty host before its last colon and a port in 1..65535 after it. */
    static void checkAddress(String what, String address) {
        checkWord(what, address, ProtocolLimits.MAX_ADDRESS_BYTES);
        int colon = address.lastIndexOf(':');
        String digits = colon < 0 ? "" : address.substring(colon + 1);
        // At most 5 digits, so the parse cannot overflow.
        int port = !digits.isEmpty() && digits.length() <= 5 && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                ? Integer.parseInt(digits) : -1;
        if (colon <= 0 || port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException(what + " is not host:port with a port in 1..65535: '" + address + "'");
        }
    }

    // ---- enums: lowercase ASCII words, so that any language compares strings and new values need no numbers ----

    static String enumName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> E readEnum(ByteReader r, String what, E[] values) {
        String word = r.utf8(what, ProtocolLimits.MAX_ENUM_BYTES);
        for (E value : values) {
            if (enumName(value).equals(word)) {
                return value;
            }
        }
        throw new MalformedEncodingException(what + " '" + word + "' is not one of "
                + Arrays.stream(values).map(Wire::enumName).collect(Collectors.joining(", ")));
    }

    /** A {@code u8} that is 0 (false) or 1 (true). */
    static boolean readFlag(ByteReader r, String what) {
        int v = r.u8(what);
        if (v > 1) {
            throw new MalformedEncodingException(what + " = " + v + ", neither 0 nor 1");
        }
        return v == 1;
    }

    // ---- N, R, W ----

    static void checkReplicas(String quorumName, int n, int quorum) {
        if (n < 0 || n > ProtocolLimits.MAX_REPLICAS) {
            throw new IllegalArgumentException("n = " + n + " outside [0, " + ProtocolLimits.MAX_REPLICAS + "]");
        }
        if (quorum < 0 || quorum > ProtocolLimits.MAX_REPLICAS) {
            throw new IllegalArgumentException(quorumName + " = " + quorum + " outside [0, "
                    + ProtocolLimits.MAX_REPLICAS + "]");
        }
        // 0 means the cluster default; only two explicit values can be compared without knowing the cluster.
        if (n != 0 && quorum > n) {
            throw new IllegalArgumentException(quorumName + " = " + quorum + " exceeds n = " + n);
        }
    }

    static int readReplicas(ByteReader r, String what) {
        return (int) r.varlong(what, 0, ProtocolLimits.MAX_REPLICAS);
    }

    static void checkTimeout(long timeoutMillis) {
        if (timeoutMillis < 0 || timeoutMillis > ProtocolLimits.MAX_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("timeoutMillis = " + timeoutMillis + " outside [0, "
                    + ProtocolLimits.MAX_TIMEOUT_MILLIS + "]");
        }
    }

    static long readTimeout(ByteReader r) {
        return r.varlong("timeoutMillis", 0, ProtocolLimits.MAX_TIMEOUT_MILLIS);
    }

    static void checkNonNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
    }

    /** A count of partitions, {@code 0..}{@link ProtocolLimits#MAX_PARTITIONS}. */
    static void checkPartitionCount(String what, long value) {
        if (value < 0 || value > ProtocolLimits.MAX_PARTITIONS) {
            throw new IllegalArgumentException(what + " = " + value + " outside [0, " + ProtocolLimits.MAX_PARTITIONS
                    + "]");
        }
    }

    static int readPartitionCount(ByteReader r, String what) {
        return (int) r.varlong(what, 0, ProtocolLimits.MAX_PARTITIONS);
    }

    static long readNonNegative(ByteReader r, String what) {
        return r.varlong(what, 0, Long.MAX_VALUE);
    }

    // ---- contexts: length 0 means "no context", which we model as the empty version vector ----

    static byte[] contextBytes(VersionVector context) {
        return context.isEmpty() ? new byte[0] : CausalCodec.encodeContext(context);
    }

    static VersionVector readContext(ByteReader r) {
        byte[] raw = r.bytes("context", Integer.MAX_VALUE);
        return raw.length == 0 ? VersionVector.empty() : CausalCodec.decodeContext(raw);
    }

    // ---- "ringVersion:varint value:siblingset", the body of GET and PUT responses ----

    static byte[] encodeSiblingResponse(long ringVersion, SiblingSet value) {
        int setSize = CausalCodec.encodedSize(value);
        ByteBuffer out = ByteBuffer.allocate(Varint.size(ringVersion) + Wire.bytesSize(setSize));
        Varint.write(out, ringVersion);
        Varint.write(out, setSize);
        CausalCodec.encode(value, out);
        return finish(out);
    }

    static long readRingVersion(ByteReader r) {
        return readNonNegative(r, "ringVersion");
    }

    static SiblingSet readSiblingSet(ByteReader r) {
        return CausalCodec.decode(r.bytes("siblingset", Integer.MAX_VALUE));
    }
}
