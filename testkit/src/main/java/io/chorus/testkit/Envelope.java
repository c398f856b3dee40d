package io.chorus.testkit;

import io.chorus.core.NodeId;
import io.chorus.core.error.ErrorCode;
import java.util.zip.CRC32;

/**
 * A message on the wire. Its body array is a private copy that is never handed out: each delivery gets its own
 * copy, so a handler that scribbles on its bytes cannot change what a duplicate delivers. Replies remember the
 * caller's transport incarnation, so a reply to a crashed incarnation is lost even if the node restarted.
 *
 * <p>Immutable as far as anyone can see: the body array is never mutated or exposed outside the network.
 */
record Envelope(boolean isReply, long id, NodeId from, NodeId to, SimTransport caller, int opcode, byte[] body,
                ErrorCode error, String errorMessage, boolean refused) {

    static Envelope request(long id, SimTransport caller, NodeId to, int opcode, byte[] bodyCopy) {
        return new Envelope(false, id, caller.self(), to, caller, opcode, bodyCopy, null, null, false);
    }

    Envelope reply(int replyOpcode, byte[] bodyCopy) {
        return new Envelope(true, id, to, from, caller, replyOpcode, bodyCopy, null, null, false);
    }

    Envelope errorReply(ErrorCode code, String message) {
        return new Envelope(true, id, to, from, caller, 0, new byte[0], code, message, false);
    }

    /** Nothing listened: the connection was refused, so the request surely never ran (a NotSentException). */
    Envelope refusal(String message) {
        return new Envelope(true, id, to, from, caller, 0, new byte[0], ErrorCode.UNAVAILABLE, message, true);
    }

    String label() {
        return "#" + id + (isReply ? " rep " : " req ") + from + "->" + to;
    }

    /** Enough of the message to tell runs apart: the checksum catches any difference in the bytes. */
    String content() {
        if (error != null) {
            return "error " + error;
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        return "op=0x" + Integer.toHexString(opcode) + " len=" + body.length
                + " crc=" + Long.toHexString(crc.getValue());
    }
}
