package io.chorus.server;

/**
 * A node cannot start, for a reason an operator fixes (a data directory of another node, a port taken): the
 * message is one line to print, without a stack trace.
 */
public final class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
