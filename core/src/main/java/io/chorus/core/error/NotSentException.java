package io.chorus.core.error;

/**
 * UNAVAILABLE for a request that never left this process (its connection was already closed, or the transport
 * shut down): unlike a connection lost with the request in flight, it certainly did not run, so even a write may be
 * sent to another node. Immutable.
 */
public final class NotSentException extends ChorusException {

    public NotSentException(String message) {
        super(ErrorCode.UNAVAILABLE, message);
    }

    public NotSentException(String message, Throwable cause) {
        super(ErrorCode.UNAVAILABLE, message, cause);
    }
}
