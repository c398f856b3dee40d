package io.chorus.core.error;

/** Bytes that do not decode: truncated, out of range, or not in canonical form. Nothing partial is returned. */
public final class MalformedEncodingException extends ChorusException {

    public MalformedEncodingException(String message) {
        super(ErrorCode.CORRUPT, message);
    }
}
