package io.chorus.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes at once a connection whose remote address already has its maximum of connections or of pending
 * handshakes ({@link SourceLimits}; no reply, the peer learns nothing). Builds every other accepted connection's
 * pipeline once it has a pending-handshake slot: with TLS, an {@link SslHandler} first (from the server context in
 * use at accept, so a reloaded certificate serves new connections only), then idle timer, flush consolidation,
 * frame codec (whose frame limit is the small pre-handshake one until the handler accepts the HELLO, and whose
 * incomplete frames draw on the server's {@link FrameBudget}), connection handler. A connection accepted while
 * every pending slot is taken gets the slot of the oldest still waiting, which is closed; the handler moves a
 * connection to its role's slots when it says HELLO. Sharable; thread-safe (the counts are atomic, the group is
 * concurrent).
 */
final class ServerChannelInitializer extends ChannelInitializer<Channel> {

    /** Flush at least every this many writes, even while a read is in progress. */
    private static final int EXPLICIT_FLUSH_AFTER_FLUSHES = 256;

    private final Dispatcher dispatcher;
    private final ChannelGroup connections;
    private final AtomicInteger open;
    private final boolean acceptsNodes;

    ServerChannelInitializer(Dispatcher dispatcher, ChannelGroup connections) {
        this(dispatcher, connections, new AtomicInteger(), true);
    }

    private ServerChannelInitializer(Dispatcher dispatcher, ChannelGroup connections, AtomicInteger open,
                                     boolean acceptsNodes) {
        this.dispatcher = dispatcher;
        this.connections = connections;
        this.open = open;
        this.acceptsNodes = acceptsNodes;
    }

    /**
     * The same, counting into the same open connections, for a client listener beside a peer listener: its
     * connections refuse node HELLOs, so node messages never arrive on the port clients are given.
     */
    ServerChannelInitializer refusingNodes() {
        return new ServerChannelInitializer(dispatcher, connections, open, false);
    }

    int openConnections() {
        return open.get();
    }

    @Override
    protected void initChannel(Channel ch) {
        ServerConfig config = dispatcher.config();
        open.incrementAndGet();
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        connections.add(ch);
        if (!dispatcher.budget().admitSource(ch)) {
            ch.close();
            return;
        }
        dispatcher.budget().takePending(ch);
        ChannelPipeline p = ch.pipeline();
        if (config.tls() != null) {
            // The whole byte stream is TLS; the handshake counts against the HELLO deadline, which the connection
            // handler arms at once, so a socket that never finishes it holds its pending slot no longer.
            SslHandler tls = config.tls().serverContext().newHandler(ch.alloc());
            tls.setHandshakeTimeout(config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            p.addLast("tls", tls);
        }
        p.addLast("idle", new IdleStateHandler(config.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
        // Replies written while a read is in progress (HELLO, PING, errors) are flushed once at its end. Replies
        // from the dispatch executor are already batched by ReplyBatcher, one flush per batch, so flushes outside
        // a read go straight through rather than waiting for one more loop task.
        p.addLast("flush", new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER_FLUSHES, false));
        p.addLast("codec", new FrameCodec(config.preHandshakeFrameBytes(), dispatcher.budget().frames()));
        ServerConnectionHandler handler = new ServerConnectionHandler(dispatcher, acceptsNodes);
        handler.holdsPendingSlot();
        p.addLast("connection", handler);
    }
}
