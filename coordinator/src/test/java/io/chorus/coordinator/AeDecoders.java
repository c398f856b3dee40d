package io.chorus.coordinator;

import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.MalformedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Every anti-entropy decoder, numbered, each paired with the encoder of what it decodes, for tests that feed them
 * arbitrary bytes. Reply decoders that check a reply against its request get a fixed request of each kind. Stateless.
 */
final class AeDecoders {

    static final AeHashes HASHES = new AeHashes(0, 2, 0, new int[] {0});
    static final AeFetch FETCH = new AeFetch(0, List.of(bytes("a"), bytes("b")));
    static final AePush PUSH = new AePush(0, List.of(new AeEntry(bytes("a"), SiblingSet.empty()),
            new AeEntry(bytes("b"), SiblingSet.empty())));
    static final AeStable STABLE = new AeStable(0, 1, List.of(bytes("a"), bytes("b")));
    static final AePurge PURGE = new AePurge(0, 1, List.of(new AePurge.Entry(bytes("a"), 1),
            new AePurge.Entry(bytes("b"), 2)));

    /** Decodes {@code body} and encodes the result again: a body that decodes then comes back unchanged. */
    static final List<Function<byte[], byte[]>> ALL = List.of(
            b -> AeRoot.decode(b).encode().body(),
            b -> AeRoot.Reply.decode(b).encode().body(),
            b -> AeHashes.decode(b).encode().body(),
            b -> AeHashes.Reply.decode(b, HASHES).encode().body(),
            b -> AeKeys.decode(b).encode().body(),
            b -> AeKeys.Reply.decode(b).encode().body(),
            b -> AeFetch.decode(b).encode().body(),
            b -> AeFetch.Reply.decode(b, FETCH).encode().body(),
            b -> AePush.decode(b).encode().body(),
            b -> AePush.Reply.decode(b, PUSH).encode().body(),
            b -> AeStable.decode(b).encode().body(),
            b -> AeStable.Reply.decode(b, STABLE).encode().body(),
            b -> AePurge.decode(b).encode().body(),
            b -> AePurge.Reply.decode(b, PURGE).encode().body());

    private AeDecoders() {
    }

    /**
     * Runs decoder {@code which} on {@code body}: returns the re-encoded body when it decodes, null when it is
     * rejected as malformed. Anything else it throws is a bug in the decoder and propagates.
     */
    static byte[] reencodeOrNull(int which, byte[] body) {
        try {
            return ALL.get(which).apply(body);
        } catch (MalformedEncodingException rejected) {
            return null;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
