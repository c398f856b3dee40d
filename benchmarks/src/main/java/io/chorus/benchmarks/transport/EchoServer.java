package io.chorus.benchmarks.transport;

import io.chorus.core.NodeId;
import io.chorus.transport.netty.EventLoops;
import io.chorus.transport.netty.FrameCodec;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.ProtocolLimits;
import io.chorus.transport.protocol.ProtocolVersion;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;

/**
 * The baseline ceiling for round trips: a plain Netty server with the same framing that answers HELLO and echoes
 * every other frame back as a response, on the event loop, flushing once per read batch. No handshake checks, no
 * limits, no dispatch: what is left is the cost of the network and the codec. Not thread-safe; start and stop from
 * one thread.
 */
public final class EchoServer implements AutoCloseable {

    private final Channel listener;

    public EchoServer(EventLoops loops) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameCodec(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES), new Echo());
                    }
                });
        listener = bootstrap.bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }

    /** Echoes on the event loop; one flush per read batch. */
    private static final class Echo extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Frame frame)) {
                ctx.close();
                return;
            }
            byte[] body = frame.opcode() == Opcodes.HELLO
                    ? new HelloResponse(ProtocolVersion.V1, NodeId.of("echo"), 1).encode()
                    : frame.body();
            ctx.write(Frame.response(frame.version(), frame.opcode(), frame.requestId(), body));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
