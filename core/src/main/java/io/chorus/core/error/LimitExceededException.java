package io.chorus.core.error;

/** A key, value, sibling count or frame went past a configured limit; nothing was written. */
public final class LimitExceededException extends ChorusException {

    private final long actual;
    private final long limit;

    public LimitExceededException(ErrorCode code, String what, long actual, long limit) {
        super(code, what + " is " + actual + ", over the limit of " + limit);
        this.actual = actual;
        this.limit = limit;
    }

    public long actual() {
        return actual;
    }

    public long limit() {
        return limit;
    }
}
