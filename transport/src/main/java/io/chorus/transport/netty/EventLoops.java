package io.chorus.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A Netty event loop group together with the channel types that fit it: epoll when the native transport loads,
 * NIO otherwise. One per node (or per client process), shared by its server and client connections and injected
 * into them; whoever creates it closes it. Event loop threads do I/O only. Thread-safe.
 */
public final class EventLoops implements AutoCloseable {

    private final EventLoopGroup group;
    private final boolean epoll;

    private EventLoops(EventLoopGroup group, boolean epoll) {
        this.group = group;
        this.epoll = epoll;
    }

    /** Epoll when available, else NIO; {@code threads = 0} lets Netty pick (twice the cores). */
    public static EventLoops create(int threads, String name) {
        return Epoll.isAvailable() ? create(threads, name, EpollIoHandler.newFactory(), true)
                : nio(threads, name);
    }

    /** NIO regardless of the platform. */
    public static EventLoops nio(int threads, String name) {
        return create(threads, name, NioIoHandler.newFactory(), false);
    }

    private static EventLoops create(int threads, String name, IoHandlerFactory factory, boolean epoll) {
        // Daemon threads: a forgotten group must not keep a JVM (or a test run) alive.
        return new EventLoops(new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory),
                epoll);
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean isEpoll() {
        return epoll;
    }

    public Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends Channel> channelType() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Shuts the threads down without a quiet period and waits for them (a few seconds at most). */
    @Override
    public void close() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
