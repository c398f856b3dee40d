package io.chorus.transport.protocol;

import java.util.OptionalInt;

/** The protocol versions this implementation speaks, and the HELLO negotiation rule. Stateless. */
public final class ProtocolVersion {

    public static final int V1 = 1;
    public static final int MIN_SUPPORTED = V1;
    public static final int MAX_SUPPORTED = V1;

    private ProtocolVersion() {
    }

    /** The highest version in both {@code [peerMin, peerMax]} and what we support, if there is one. */
    public static OptionalInt negotiate(int peerMin, int peerMax) {
        int high = Math.min(peerMax, MAX_SUPPORTED);
        int low = Math.max(peerMin, MIN_SUPPORTED);
        return high >= low ? OptionalInt.of(high) : OptionalInt.empty();
    }
}
