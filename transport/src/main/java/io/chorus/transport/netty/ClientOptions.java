package io.chorus.transport.netty;

import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.ProtocolLimits;
import io.chorus.transport.tls.TlsContext;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * How a {@link ClientConnection} connects and where it completes its futures. {@code callbackExecutor} runs every
 * completion the caller sees, so that callers' continuations never run on an event loop; pass a direct executor
 * ({@code Runnable::run}) only when every continuation is short and non-blocking (benchmarks). Immutable.
 *
 * @param tls TLS on every connection with {@code tls}'s client context (its certificate, if it has one, is
 *            presented; the server's must chain to its CA and name the server's node id), or null for plaintext.
 *            Its reloads are scheduled by whoever owns it ({@link TlsContext#scheduleReloads}; a node's server does)
 */
public record ClientOptions(int maxFrameBytes, long connectTimeoutMillis, Executor callbackExecutor,
                            TlsContext tls) {

    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 2_000;

    public ClientOptions {
        if (maxFrameBytes < Frame.HEADER_BYTES) {
            throw new IllegalArgumentException("max frame size below the header size: " + maxFrameBytes);
        }
        if (connectTimeoutMillis < 1 || connectTimeoutMillis > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connect timeout outside 1..2^31-1 ms: " + connectTimeoutMillis);
        }
        if (callbackExecutor == null) {
            throw new IllegalArgumentException("callback executor must be given");
        }
    }

    /** 16 MiB frames, a 2 s connect timeout, completions on the common fork-join pool, plaintext. */
    public static ClientOptions defaults() {
        return callbacksOn(ForkJoinPool.commonPool());
    }

    /** The defaults, with completions on {@code executor}. */
    public static ClientOptions callbacksOn(Executor executor) {
        return new ClientOptions(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES, DEFAULT_CONNECT_TIMEOUT_MILLIS, executor,
                null);
    }

    public ClientOptions withConnectTimeoutMillis(long millis) {
        return with(b -> b.connectTimeoutMillis = millis);
    }

    public ClientOptions withMaxFrameBytes(int bytes) {
        return with(b -> b.maxFrameBytes = bytes);
    }

    /** TLS with {@code tls}'s client context; null: plaintext. */
    public ClientOptions withTls(TlsContext tls) {
        return with(b -> b.tls = tls);
    }

    /** These options with {@code change} made to a copy of their components; the canonical constructor validates. */
    private ClientOptions with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}. */
    private static final class Builder {
        private int maxFrameBytes;
        private long connectTimeoutMillis;
        private Executor callbackExecutor;
        private TlsContext tls;

        private Builder(ClientOptions o) {
            maxFrameBytes = o.maxFrameBytes;
            connectTimeoutMillis = o.connectTimeoutMillis;
            callbackExecutor = o.callbackExecutor;
            tls = o.tls;
        }

        private ClientOptions build() {
            return new ClientOptions(maxFrameBytes, connectTimeoutMillis, callbackExecutor, tls);
        }
    }
}
