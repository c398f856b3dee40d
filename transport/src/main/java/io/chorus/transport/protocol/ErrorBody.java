package io.chorus.transport.protocol;

import io.chorus.core.codec.ByteReader;
import io.chorus.core.codec.Varint;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.Failures;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.error.QuorumException;
import io.chorus.transport.RemoteException;
import io.chorus.transport.WireErrorCodes;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

/**
 * The body of an error response: {@code code:u16 message:string acks:varint required:varint}. The code is kept as
 * its wire number so that a code from a newer peer survives a round trip; {@link #errorCode()} maps it. Immutable.
 */
public record ErrorBody(int code, String message, int acks, int required) {

    private static final int MAX_MESSAGE_CHARS = 1024;

    public ErrorBody {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("error code must fit in 16 bits: " + code);
        }
        if (message == null) {
            throw new IllegalArgumentException("message must be given");
        }
        if (acks < 0 || required < 0) {
            throw new IllegalArgumentException("acks and required must not be negative");
        }
    }

    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(WireErrorCodes.toWire(code), message, 0, 0);
    }

    public static ErrorBody of(ErrorCode code, String message, int acks, int required) {
        return new ErrorBody(WireErrorCodes.toWire(code), message, acks, required);
    }

    /**
     * The error reply for a failed request, in one place for every server path. A decode failure of the request
     * bytes ({@link MalformedEncodingException}) is the requester's fault: BAD_REQUEST. A remote error (a
     * forwarded request) keeps its code and counts. Other {@link ChorusException}s keep their code; an executor
     * that refuses work means OVERLOADED; anything else is a bug: INTERNAL.
     */
    public static ErrorBody from(Throwable failure) {
        Throwable t = Failures.unwrap(failure);
        String message = truncate(String.valueOf(t.getMessage()));
        if (t instanceof MalformedEncodingException) {
            return of(ErrorCode.BAD_REQUEST, message);
        }
        if (t instanceof QuorumException quorum) {
            return new ErrorBody(WireErrorCodes.toWire(quorum.code()), message, quorum.acks(), quorum.required());
        }
        if (t instanceof RemoteException remote) {
            return new ErrorBody(remote.wireCode(), message, remote.acks(), remote.required());
        }
        if (t instanceof ChorusException chorus) {
            return of(chorus.code(), message);
        }
        if (t instanceof RejectedExecutionException) {
            return of(ErrorCode.OVERLOADED, "the node cannot take more work now");
        }
        return of(ErrorCode.INTERNAL, truncate(t.getClass().getName() + ": " + t.getMessage()));
    }

    /** Messages are for humans; a handler's message must not be able to blow up an error frame. */
    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    /** The code as an {@link ErrorCode}; a number this version does not know reads as INTERNAL. */
    public ErrorCode errorCode() {
        return WireErrorCodes.fromWire(code);
    }

    /** The exception a requester surfaces for this error. */
    public RemoteException toException() {
        return new RemoteException(errorCode(), code, message, acks, required);
    }

    public byte[] encode() {
        byte[] text = Wire.utf8(message);
        ByteBuffer out = ByteBuffer.allocate(2 + Wire.bytesSize(text.length) + Varint.size(acks)
                + Varint.size(required));
        Wire.putU16(out, code);
        Wire.putBytes(out, text);
        Varint.write(out, acks);
        Varint.write(out, required);
        return Wire.finish(out);
    }

    public static ErrorBody decode(byte[] body) {
        ByteReader r = new ByteReader(body);
        int code = Wire.u16(r, "error code");
        String message = r.utf8("error message", Integer.MAX_VALUE);
        int acks = (int) r.varlong("acks", 0, Integer.MAX_VALUE);
        int required = (int) r.varlong("required", 0, Integer.MAX_VALUE);
        r.expectEnd("error");
        return new ErrorBody(code, message, acks, required);
    }
}
