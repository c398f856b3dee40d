package io.chorus.core.error;

/** Base of every error Chorus reports on purpose; {@link #code()} is what a client sees. */
public class ChorusException extends RuntimeException {

    private final ErrorCode code;

    public ChorusException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ChorusException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
