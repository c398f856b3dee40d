package io.chorus.testkit;

/**
 * A slow node for {@link SimNetwork#slow}: every message it receives ({@code inbound}) and/or sends
 * ({@code outbound}) takes an extra latency drawn uniformly from {@code [minExtraMillis, maxExtraMillis]} on top of
 * the network's own. This is what a replica in a long GC pause, behind a saturated disk or a congested link looks
 * like to its peers: not gone, just late, possibly later than their timeouts. Inbound delay makes the node act on
 * requests late; outbound delay makes its replies (and its own requests) arrive late after it acted. Immutable.
 */
public record Slowdown(long minExtraMillis, long maxExtraMillis, boolean inbound, boolean outbound) {

    public Slowdown {
        if (minExtraMillis < 0 || maxExtraMillis < minExtraMillis) {
            throw new IllegalArgumentException("extra latency must satisfy 0 <= min <= max: " + minExtraMillis + ".."
                    + maxExtraMillis);
        }
        if (!inbound && !outbound) {
            throw new IllegalArgumentException("a slowdown delays inbound or outbound messages, or both");
        }
    }

    /** Messages to and from the node are late. */
    public static Slowdown both(long minExtraMillis, long maxExtraMillis) {
        return new Slowdown(minExtraMillis, maxExtraMillis, true, true);
    }

    /** Messages reaching the node are late: it hears requests (and replies) late. */
    public static Slowdown inbound(long minExtraMillis, long maxExtraMillis) {
        return new Slowdown(minExtraMillis, maxExtraMillis, true, false);
    }

    /** Messages leaving the node are late: its replies and requests arrive late. */
    public static Slowdown outbound(long minExtraMillis, long maxExtraMillis) {
        return new Slowdown(minExtraMillis, maxExtraMillis, false, true);
    }

    @Override
    public String toString() {
        String direction = inbound && outbound ? "in+out" : inbound ? "in" : "out";
        return direction + " +" + minExtraMillis + ".." + maxExtraMillis + " ms";
    }
}
