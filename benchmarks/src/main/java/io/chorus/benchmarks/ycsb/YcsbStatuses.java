package io.chorus.benchmarks.ycsb;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.Failures;
import site.ycsb.Status;

/**
 * A failed Chorus request as a YCSB {@link Status}, so that the run counts it ({@code Return=...} lines) instead of
 * dying on an exception. Stateless.
 */
final class YcsbStatuses {

    private YcsbStatuses() {
    }

    /**
     * SERVICE_UNAVAILABLE for what a retry later may cure (no replicas reachable, timeouts, a quorum not met, a
     * node shedding load), FORBIDDEN for sign-in and permission refusals, BAD_REQUEST for requests the cluster
     * refuses as such, ERROR for everything else (TOO_MANY_SIBLINGS among them, and bytes that are not a record).
     */
    static Status of(Throwable failure) {
        Throwable cause = Failures.unwrap(failure);
        if (!(cause instanceof ChorusException ce)) {
            return Status.ERROR;
        }
        return switch (ce.code()) {
            case UNAVAILABLE, TIMEOUT, QUORUM_NOT_MET, OVERLOADED -> Status.SERVICE_UNAVAILABLE;
            case UNAUTHENTICATED, FORBIDDEN -> Status.FORBIDDEN;
            case BAD_REQUEST, TOO_LARGE -> Status.BAD_REQUEST;
            default -> Status.ERROR;
        };
    }
}
