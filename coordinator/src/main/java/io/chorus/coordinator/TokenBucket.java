package io.chorus.coordinator;

/**
 * A token bucket kept as one instant (the generic cell rate algorithm): {@code paidUntil}, the time at which
 * everything reserved so far has been paid for at {@code perSecond}. At time t the bucket holds
 * {@code min(burst, (t - paidUntil) * rate)} tokens, or is in debt when t is before {@code paidUntil}. Refilling
 * is then implicit in the clock, with no rounding to lose: a bucket asked every microsecond for a fraction of a
 * token still delivers its rate. The burst is one second's worth of the rate.
 *
 * <p>Pure: the time is handed in. Not thread-safe; its owner guards it ({@link BackgroundBudget}'s lock).
 */
final class TokenBucket {

    static final long BURST_NANOS = 1_000_000_000L;
    /** Caps that keep the arithmetic far from overflow; 73 years of debt is as good as infinite. */
    private static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private final long perSecond;
    private long paidUntil;

    /** A full bucket at {@code nowNanos}. */
    TokenBucket(long perSecond, long nowNanos) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("rate must be >= 1, got " + perSecond);
        }
        this.perSecond = perSecond;
        this.paidUntil = nowNanos - BURST_NANOS;
    }

    /**
     * Takes {@code amount} tokens at {@code nowNanos}, going into debt if the bucket holds fewer, and returns how
     * long the taker must wait for the debt to be paid: 0 when the tokens were there. An amount larger than the
     * burst therefore waits for its excess only, so a big batch still goes, and whoever takes next waits behind it.
     */
    long take(long amount, long nowNanos) {
        if (perSecond == BudgetConfig.UNLIMITED || amount == 0) {
            return 0;
        }
        // Positions relative to now; differences rather than absolute compares, as nanoTime may wrap.
        long from = Math.max(paidUntil - nowNanos, -BURST_NANOS);
        long until = Math.min(from + cost(amount), MAX_NANOS);
        paidUntil = nowNanos + until;
        return Math.max(0, until);
    }

    /** The nanoseconds {@code amount} tokens take to refill, rounded up (so the rate is never exceeded). */
    private long cost(long amount) {
        return Math.min(MAX_NANOS, (long) Math.ceil((double) amount * BURST_NANOS / perSecond));
    }
}
