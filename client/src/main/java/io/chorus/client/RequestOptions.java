package io.chorus.client;

import io.chorus.transport.protocol.ProtocolLimits;
import java.util.function.Consumer;

/**
 * Per-request replication settings. Zero means "the cluster's default" (N=3, R=2, W=2 and the node's timeout
 * unless the cluster is configured otherwise); the coordinator rejects R or W outside 1..N, or N above the cluster
 * size, with BAD_REQUEST. Immutable.
 *
 * @param n             replicas of the key
 * @param r             replies a read waits for
 * @param w             durable acknowledgements a write waits for
 * @param timeoutMillis how long the coordinator may take before answering TIMEOUT or QUORUM_NOT_MET, at most 10
 *                      minutes
 * @param lastWriteWins for a put without a context: read first and write with the read's context, again while
 *                      a concurrent sibling shows, so that this value replaces whatever it found. Opt-in: what it
 *                      replaces is lost, concurrent writers' values included (docs/consistency.md)
 */
public record RequestOptions(int n, int r, int w, long timeoutMillis, boolean lastWriteWins) {

    private static final RequestOptions DEFAULTS = new RequestOptions(0, 0, 0, 0);

    /** Siblings kept (no last-write-wins). */
    public RequestOptions(int n, int r, int w, long timeoutMillis) {
        this(n, r, w, timeoutMillis, false);
    }

    public RequestOptions {
        if (n < 0 || r < 0 || w < 0 || timeoutMillis < 0) {
            throw new IllegalArgumentException("n, r, w and timeout must not be negative: " + n + "/" + r + "/" + w
                    + "/" + timeoutMillis);
        }
        if (n > ProtocolLimits.MAX_REPLICAS || r > ProtocolLimits.MAX_REPLICAS || w > ProtocolLimits.MAX_REPLICAS
                || timeoutMillis > ProtocolLimits.MAX_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("n, r and w are at most " + ProtocolLimits.MAX_REPLICAS
                    + ", the timeout at most " + ProtocolLimits.MAX_TIMEOUT_MILLIS + " ms: " + n + "/" + r + "/" + w
                    + "/" + timeoutMillis);
        }
        if (n > 0 && (r > n || w > n)) {
            throw new IllegalArgumentException("r and w must not exceed n: n=" + n + " r=" + r + " w=" + w);
        }
    }

    public static RequestOptions defaults() {
        return DEFAULTS;
    }

    public RequestOptions withN(int n) {
        return with(b -> b.n = n);
    }

    public RequestOptions withR(int r) {
        return with(b -> b.r = r);
    }

    public RequestOptions withW(int w) {
        return with(b -> b.w = w);
    }

    public RequestOptions withTimeoutMillis(long timeoutMillis) {
        return with(b -> b.timeoutMillis = timeoutMillis);
    }

    /** See {@link #lastWriteWins()}. */
    public RequestOptions withLastWriteWins(boolean on) {
        return with(b -> b.lastWriteWins = on);
    }

    /** This set of options with {@code change} made to a copy of its components; the canonical constructor validates. */
    private RequestOptions with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}: the one place besides the header that lists them all. */
    private static final class Builder {
        private int n;
        private int r;
        private int w;
        private long timeoutMillis;
        private boolean lastWriteWins;

        private Builder(RequestOptions o) {
            n = o.n;
            r = o.r;
            w = o.w;
            timeoutMillis = o.timeoutMillis;
            lastWriteWins = o.lastWriteWins;
        }

        private RequestOptions build() {
            return new RequestOptions(n, r, w, timeoutMillis, lastWriteWins);
        }
    }
}
