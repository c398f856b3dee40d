package io.chorus.transport.protocol;

import io.chorus.core.error.MalformedEncodingException;
import java.util.List;
import java.util.function.Function;

/**
 * Every decoder of a membership admin body, numbered, each followed by the encoder of what it decodes, for tests
 * that feed them arbitrary bytes. Stateless.
 */
final class MembershipDecoders {

    static final List<String> NAMES = List.of("members", "ring", "join", "remove", "plan", "commit", "commit_reply",
            "transfers", "backup", "backup_reply");

    /** Decodes a body and encodes the result again: a body that decodes comes back unchanged. */
    static final List<Function<byte[], byte[]>> ALL = List.of(
            b -> MembersResponse.decode(b).encode(),
            b -> RingResponse.decode(b).encode(),
            b -> JoinRequest.decode(b).encode(),
            b -> RemoveRequest.decode(b).encode(),
            b -> PlanResponse.decode(b).encode(),
            b -> CommitRequest.decode(b).encode(),
            b -> CommitResponse.decode(b).encode(),
            b -> TransfersResponse.decode(b).encode(),
            b -> BackupRequest.decode(b).encode(),
            b -> BackupResponse.decode(b).encode());

    private MembershipDecoders() {
    }

    /**
     * Runs decoder {@code which} on {@code body}: the re-encoded body when it decodes, null when it is rejected as
     * malformed. Anything else it throws is a bug in the decoder and propagates.
     */
    static byte[] reencodeOrNull(int which, byte[] body) {
        try {
            return ALL.get(which).apply(body);
        } catch (MalformedEncodingException rejected) {
            return null;
        }
    }
}
