package io.chorus.coordinator;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;

/**
 * What one request asks for: N replicas, R replies to a read, W acknowledgements of a write, and a timeout. A
 * {@code 0} means "the node's default" ({@link CoordinatorConfig}); {@link Quorum} resolves and validates against
 * the ring. A read ignores {@code w}, a write ignores {@code r}. Immutable.
 *
 * @throws ChorusException BAD_REQUEST when a value is negative, {@code n}, {@code r}, {@code w} exceed 255 or the
 *     timeout 10 minutes (the wire protocol's bounds)
 */
public record QuorumOptions(int n, int r, int w, long timeoutMillis) {

    /** The most replicas a request may name, as the wire protocol bounds it. */
    public static final int MAX_REPLICAS = 255;

    /**
     * The longest timeout a request may ask for, 10 minutes, as the wire protocol bounds it: a deadline that far
     * out is a mistake, and one near 2^63 ns would overflow the clock arithmetic.
     */
    public static final long MAX_TIMEOUT_MILLIS = 600_000;

    /** Every value from the node's configuration. */
    public static final QuorumOptions DEFAULT = new QuorumOptions(0, 0, 0, 0);

    public QuorumOptions {
        checkCount("n", n);
        checkCount("r", r);
        checkCount("w", w);
        if (timeoutMillis < 0 || timeoutMillis > MAX_TIMEOUT_MILLIS) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "timeoutMillis must be in 0.." + MAX_TIMEOUT_MILLIS
                    + " (0 = default), got " + timeoutMillis);
        }
    }

    /** N, R and W with the default timeout. */
    public static QuorumOptions of(int n, int r, int w) {
        return new QuorumOptions(n, r, w, 0);
    }

    public QuorumOptions withTimeout(long millis) {
        return new QuorumOptions(n, r, w, millis);
    }

    private static void checkCount(String name, int value) {
        if (value < 0 || value > MAX_REPLICAS) {
            throw new ChorusException(ErrorCode.BAD_REQUEST,
                    name + " must be in 0.." + MAX_REPLICAS + " (0 = default), got " + value);
        }
    }
}
