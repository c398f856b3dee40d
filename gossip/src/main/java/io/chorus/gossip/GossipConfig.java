package io.chorus.gossip;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of a {@link Gossiper}. Immutable; the compact constructor rejects nonsense, naming the field.
 *
 * @param interval how often a node starts a round (bumps its heartbeat, ticks its detector, gossips)
 * @param detector the failure detector's settings; its {@code tickInterval} must be {@code interval}: the agent
 *     ticks it once a round, and the pause guard measures gaps against that
 * @param messageTimeout how long a SYN waits for its ACK, and an ACK2 for its empty reply, before the exchange is
 *     given up (a later round tries again)
 * @param maxStatesPerMessage the most full node states one ACK or ACK2 carries (and one ACK asks for), in
 *     {@code [1, GossipLimits.MAX_STATES_PER_MESSAGE]}: it bounds an exchange's size in a large cluster, where
 *     every state changes every round; the most out of date go first, the rest in later rounds
 */
public record GossipConfig(Duration interval, FailureDetectorConfig detector, Duration messageTimeout,
        int maxStatesPerMessage) {

    /**
     * Rounds every second, the detector's defaults, 2 s to answer, 256 states a message (about 25 KiB at Q = 256:
     * a 256-node cluster sends every heartbeat each round, a larger one spreads them over rounds).
     */
    public static final GossipConfig DEFAULTS = new GossipConfig(Duration.ofSeconds(1), FailureDetectorConfig.DEFAULTS,
            Duration.ofSeconds(2), 256);

    public GossipConfig {
        requirePositive("interval", interval);
        Objects.requireNonNull(detector, "detector");
        if (!detector.tickInterval().equals(interval)) {
            throw new IllegalArgumentException("detector tickInterval " + detector.tickInterval()
                    + " must equal the gossip interval " + interval + ": the agent ticks it once a round");
        }
        requirePositive("messageTimeout", messageTimeout);
        if (messageTimeout.toMillis() < 1 || messageTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("messageTimeout must be within [1 ms, 1 h]: " + messageTimeout);
        }
        if (maxStatesPerMessage < 1 || maxStatesPerMessage > GossipLimits.MAX_STATES_PER_MESSAGE) {
            throw new IllegalArgumentException("maxStatesPerMessage must be within [1, "
                    + GossipLimits.MAX_STATES_PER_MESSAGE + "]: " + maxStatesPerMessage);
        }
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /**
     * Rounds every {@code value}; the detector ticks with them and takes a gap of more than two rounds for a pause
     * of this node (the default ratio: 1 s and 2 s).
     */
    public GossipConfig withInterval(Duration value) {
        requirePositive("interval", value);
        return with(b -> {
            b.interval = value;
            b.detector = detector.withTicks(value, value.multipliedBy(2));
        });
    }

    public GossipConfig withDetector(FailureDetectorConfig value) {
        return with(b -> b.detector = value);
    }

    public GossipConfig withMessageTimeout(Duration value) {
        return with(b -> b.messageTimeout = value);
    }

    public GossipConfig withMaxStatesPerMessage(int value) {
        return with(b -> b.maxStatesPerMessage = value);
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private GossipConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private Duration interval;
        private FailureDetectorConfig detector;
        private Duration messageTimeout;
        private int maxStatesPerMessage;

        private Builder(GossipConfig c) {
            interval = c.interval;
            detector = c.detector;
            messageTimeout = c.messageTimeout;
            maxStatesPerMessage = c.maxStatesPerMessage;
        }

        private GossipConfig build() {
            return new GossipConfig(interval, detector, messageTimeout, maxStatesPerMessage);
        }
    }
}
