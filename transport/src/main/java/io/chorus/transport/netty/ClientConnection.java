package io.chorus.transport.netty;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.LimitExceededException;
import io.chorus.core.error.NotSentException;
import io.chorus.core.transport.Message;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.HelloResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.tls.TlsContext;
import io.chorus.transport.tls.TlsFailures;
import io.chorus.transport.tls.TlsIdentity;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSession;
import java.util.concurrent.RejectedExecutionException;

/**
 * One multiplexed connection to a Chorus server: many requests in flight on one channel, matched to their
 * responses by request id. Each request ends with its response, a {@link io.chorus.transport.RemoteException}
 * for an error response (code, message, acks and required), TIMEOUT after its own timeout, or UNAVAILABLE when the
 * connection closes. Nothing is retried. {@link #connect} opens the channel and does the HELLO handshake.
 *
 * <p>Thread-safe: requests may be sent from any thread; the channel's state lives on its event loop, and futures
 * complete on the options' callback executor.
 */
public final class ClientConnection implements AutoCloseable {

    private final Channel channel;
    private final ClientChannelHandler handler;
    private final ClientOptions options;
    private final HelloResponse server;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private ClientConnection(Channel channel, ClientChannelHandler handler, ClientOptions options,
                             HelloResponse server) {
        this.channel = channel;
        this.handler = handler;
        this.options = options;
        this.server = server;
        channel.closeFuture().addListener(f -> complete(closed));
    }

    /**
     * Connects to {@code address} on the shared {@code loops} and says {@code hello}. Fails with UNAVAILABLE when
     * the server cannot be reached, TIMEOUT when it does not answer the HELLO within the connect timeout, or the
     * server's error (UNSUPPORTED_VERSION, BAD_REQUEST, UNAUTHENTICATED). With TLS, the server's certificate must
     * chain to the trusted CA and name the node id its HELLO answer gives (a {@link NotSentException} otherwise).
     */
    public static CompletableFuture<ClientConnection> connect(EventLoops loops, InetSocketAddress address,
                                                              HelloRequest hello, ClientOptions options) {
        return connect(loops, address, hello, options, null);
    }

    /**
     * As {@link #connect(EventLoops, InetSocketAddress, HelloRequest, ClientOptions)}, to a server expected to be
     * node {@code expected} (null: any). With TLS, a server that answers as another node, or whose certificate
     * does not name {@code expected}, is refused: a node connection reaches the node it means or none. Without
     * TLS, {@code expected} is not checked.
     */
    public static CompletableFuture<ClientConnection> connect(EventLoops loops, InetSocketAddress address,
                                                              HelloRequest hello, ClientOptions options,
                                                              NodeId expected) {
        CompletableFuture<ClientConnection> result = new CompletableFuture<>();
        ClientChannelHandler handler = new ClientChannelHandler(options.callbackExecutor());
        TlsContext tls = options.tls();
        Bootstrap bootstrap = new Bootstrap()
                .group(loops.group())
                .channel(loops.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeoutMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            // The context in use now: a reload serves the connections made after it.
                            SslHandler ssl = tls.clientContext().newHandler(ch.alloc(), address.getHostString(),
                                    address.getPort());
                            ssl.setHandshakeTimeoutMillis(options.connectTimeoutMillis());
                            ch.pipeline().addLast("tls", ssl);
                        }
                        // Requests from many caller threads are written one task at a time; consolidating the
                        // flushes batches them into few syscalls.
                        ch.pipeline().addLast("flush", new FlushConsolidationHandler(256, true));
                        ch.pipeline().addLast("codec", new FrameCodec(options.maxFrameBytes()));
                        ch.pipeline().addLast("client", handler);
                    }
                });
        ChannelFuture connecting = bootstrap.connect(address);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                fail(options, result, new NotSentException("cannot connect to " + address + ": " + f.cause(),
                        f.cause()));
                return;
            }
            Channel channel = connecting.channel();
            if (tls == null) {
                sayHello(channel, handler, hello, options, null, expected, result);
                return;
            }
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            ssl.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    channel.close();
                    if (TlsFailures.isRefusal(h.cause())) {
                        fail(options, result, new ChorusException(ErrorCode.UNAUTHENTICATED, "TLS handshake with "
                                + address + " refused: " + h.cause().getMessage(), h.cause()));
                    } else {
                        fail(options, result, new NotSentException("TLS handshake with " + address + " failed: "
                                + h.cause(), h.cause()));
                    }
                    return;
                }
                // On the event loop, as the handler's state needs.
                X509Certificate certificate = TlsIdentity.peerCertificate(ssl.engine().getSession()).orElse(null);
                sayHello(channel, handler, hello, options, certificate, expected, result);
            });
        });
        return result;
    }

    /** On the channel's event loop: the HELLO, then (with TLS) the check that the server is who it says it is. */
    private static void sayHello(Channel channel, ClientChannelHandler handler, HelloRequest hello,
                                 ClientOptions options, X509Certificate certificate, NodeId expected,
                                 CompletableFuture<ClientConnection> result) {
        CompletableFuture<Message> helloDone = new CompletableFuture<>();
        handler.send(Opcodes.HELLO, hello.encode(), options.connectTimeoutMillis(), helloDone);
        helloDone.whenComplete((reply, failure) -> {
            if (failure != null) {
                channel.close();
                result.completeExceptionally(failure);
                return;
            }
            HelloResponse server = handler.serverHello();
            if (options.tls() != null) {
                String refusal = serverRefusal(server.nodeId(), certificate, expected);
                if (refusal != null) {
                    channel.close();
                    result.completeExceptionally(new NotSentException(channel.remoteAddress() + ": " + refusal));
                    return;
                }
            }
            result.complete(new ClientConnection(channel, handler, options, server));
        });
    }

    /** Why a TLS server answering as {@code node} is not accepted, or null when it is. */
    static String serverRefusal(NodeId node, X509Certificate certificate, NodeId expected) {
        if (expected != null && !expected.equals(node)) {
            return "expected node " + expected + ", the server answers as " + node;
        }
        if (certificate == null) {
            return "the server presented no certificate";
        }
        if (!TlsIdentity.names(certificate, node.name())) {
            return "the server answers as node " + node + " but its certificate names "
                    + TlsIdentity.names(certificate);
        }
        return null;
    }

    /**
     * The connection's TLS session (protocol, cipher suite, the server's certificate:
     * {@link TlsIdentity#peerCertificate}), or null without TLS.
     */
    public SSLSession tlsSession() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession();
    }

    /**
     * Sends {@code request} and completes with the response's opcode and body. The HELLO belongs to
     * {@link #connect}; a body over the frame limit fails at once with TOO_LARGE, a timeout under 1 ms with
     * TIMEOUT.
     */
    public CompletableFuture<Message> request(Message request, long timeoutMillis) {
        if (request.opcode() == Opcodes.HELLO) {
            throw new IllegalArgumentException("HELLO is sent by connect, once");
        }
        CompletableFuture<Message> future = new CompletableFuture<>();
        if (timeoutMillis < 1) {
            // No time left to wait (a caller's budget ran out, or overflowed): the request's own outcome.
            future.completeExceptionally(new ChorusException(ErrorCode.TIMEOUT, Opcodes.name(request.opcode())
                    + " had a timeout of " + timeoutMillis + " ms, no time to wait for a reply"));
            return future;
        }
        long frameLength = (long) Frame.HEADER_BYTES + request.bodyLength();
        if (frameLength > options.maxFrameBytes()) {
            future.completeExceptionally(new LimitExceededException(ErrorCode.TOO_LARGE, "request frame",
                    frameLength, options.maxFrameBytes()));
            return future;
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            handler.send(request.opcode(), request.bodyUnsafe(), timeoutMillis, future);
        } else {
            try {
                loop.execute(() -> handler.send(request.opcode(), request.bodyUnsafe(), timeoutMillis, future));
            } catch (RejectedExecutionException e) {
                future.completeExceptionally(new NotSentException("the client's event loops are shut down", e));
            }
        }
        return future;
    }

    /** What the server said in its HELLO: the chosen version, its node id, its ring version then. */
    public HelloResponse server() {
        return server;
    }

    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Completes (on the callback executor) once the connection is closed, by either side. */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    /**
     * Closes the channel; requests in flight fail with UNAVAILABLE, later ones with {@link NotSentException} (an
     * UNAVAILABLE that says the request never left, so that even a write may go elsewhere).
     */
    @Override
    public void close() {
        channel.close();
    }

    private void complete(CompletableFuture<Void> future) {
        try {
            options.callbackExecutor().execute(() -> future.complete(null));
        } catch (RejectedExecutionException e) {
            future.complete(null);
        }
    }

    private static void fail(ClientOptions options, CompletableFuture<ClientConnection> result, Throwable failure) {
        try {
            options.callbackExecutor().execute(() -> result.completeExceptionally(failure));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(failure);
        }
    }

    @Override
    public String toString() {
        return "ClientConnection[" + channel.remoteAddress() + " -> " + server.nodeId() + "]";
    }
}
