package io.chorus.transport.netty;

import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.ProtocolLimits;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * How a {@link ClientConnection} connects and where it completes its futures. {@code callbackExecutor} runs every
 * completion the caller sees, so that callers' continuations never run on an event loop; pass a direct executor
 * ({@code Runnable::run}) only when every continuation is short and non-blocking (benchmarks). Immutable.
 */
public record ClientOptions(int maxFrameBytes, long connectTimeoutMillis, Executor callbackExecutor) {

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

    /** 16 MiB frames, a 2 s connect timeout, completions on the common fork-join pool. */
    public static ClientOptions defaults() {
        return callbacksOn(ForkJoinPool.commonPool());
    }

    /** The defaults, with completions on {@code executor}. */
    public static ClientOptions callbacksOn(Executor executor) {
        return new ClientOptions(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES, DEFAULT_CONNECT_TIMEOUT_MILLIS, executor);
    }

    public ClientOptions withConnectTimeoutMillis(long millis) {
        return new ClientOptions(maxFrameBytes, millis, callbackExecutor);
    }

    public ClientOptions withMaxFrameBytes(int bytes) {
        return new ClientOptions(bytes, connectTimeoutMillis, callbackExecutor);
    }
}
