package io.chorus.coordinator;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;

/**
 * A request's quorum after defaults are filled in and checked against the ring: {@code n} replicas, of which
 * {@code required} must answer (R for a read, W for a write) within {@code timeoutMillis}. Immutable.
 */
record Quorum(int n, int required, long timeoutMillis) {

    static Quorum forRead(QuorumOptions options, CoordinatorConfig config, int ringSize) {
        return resolve(options, options.r(), config.r(), "r", config, ringSize);
    }

    static Quorum forWrite(QuorumOptions options, CoordinatorConfig config, int ringSize) {
        return resolve(options, options.w(), config.w(), "w", config, ringSize);
    }

    private static Quorum resolve(QuorumOptions options, int asked, int configured, String name,
            CoordinatorConfig config, int ringSize) {
        // A default N shrinks to a ring smaller than it (a cluster still growing from its first node): the data
        // then lives on every node, and handoff spreads it as nodes join. An explicit N above the ring is an error.
        int n = options.n() == 0 ? Math.min(config.n(), ringSize) : options.n();
        // A default R/W above an explicitly smaller N is clamped to it (Riak's quorum default behaves alike):
        // "N=1, defaults otherwise" should just work. An explicit R/W above N is the client's error.
        int required = asked == 0 ? Math.min(configured, n) : asked;
        long timeout = options.timeoutMillis() == 0 ? config.requestTimeoutMillis() : options.timeoutMillis();
        if (n > ringSize) {
            throw new ChorusException(ErrorCode.BAD_REQUEST,
                    "n = " + n + " is more than the " + ringSize + " nodes of the ring");
        }
        if (required < 1 || required > n) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, name + " = " + required + " must be in 1..n = " + n);
        }
        return new Quorum(n, required, timeout);
    }
}
