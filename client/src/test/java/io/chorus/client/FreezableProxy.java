package io.chorus.client;

import io.chorus.transport.netty.EventLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of one server that can freeze as a stopped process (SIGSTOP) does: every connection stays
 * open and new ones are still accepted (as the kernel completes handshakes for a stopped process), but nothing is
 * read in either direction, so requests are neither delivered nor answered until {@link #thaw}; then what queued
 * up in the socket buffers flows on, late, as after SIGCONT.
 *
 * <p>Thread-safe: freeze and thaw run the change on each channel's event loop and wait for it, so once they return
 * no byte moves (or every connection reads again).
 */
final class FreezableProxy implements AutoCloseable {

    private final EventLoops loops;
    private final int targetPort;
    /** Both channels of every relayed connection, once its server side is connected. */
    private final ChannelGroup relayed = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean frozen;
    private Channel listener;

    FreezableProxy(EventLoops loops, int targetPort) {
        this.loops = loops;
        this.targetPort = targetPort;
    }

    int start() {
        listener = new ServerBootstrap().group(loops.group()).channel(loops.serverChannelType())
                .childOption(ChannelOption.AUTO_READ, false) // until its server side is connected
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel in) {
                        accepted.incrementAndGet();
                        connectServerSide(in);
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Client connections accepted so far, frozen or not. */
    int accepted() {
        return accepted.get();
    }

    void freeze() {
        frozen = true; // before the walk: a connection the walk misses reads the flag when it is set up
        setAutoRead(false);
    }

    void thaw() {
        frozen = false;
        setAutoRead(true);
    }

    private void setAutoRead(boolean on) {
        for (Channel ch : relayed) {
            ch.eventLoop().submit(() -> ch.config().setAutoRead(on)).syncUninterruptibly();
        }
    }

    private void connectServerSide(Channel in) {
        ChannelFuture connecting = new Bootstrap().group(in.eventLoop()).channel(loops.channelType())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new Relay(in))
                .connect("127.0.0.1", targetPort);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                in.close();
                return;
            }
            Channel out = connecting.channel();
            if (!in.isActive()) {
                out.close(); // the client gave up while this side connected
                return;
            }
            in.pipeline().addLast(new Relay(out));
            relayed.add(in);
            relayed.add(out);
            boolean read = !frozen;
            in.config().setAutoRead(read);
            out.config().setAutoRead(read);
        });
    }

    /** Copies what one side reads to the other, and closes the other when one closes. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        relayed.close().syncUninterruptibly();
    }
}
