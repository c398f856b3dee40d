package io.chorus.transport.netty;

import io.netty.channel.CombinedChannelDuplexHandler;

/**
 * The frame decoder and encoder as one handler, in the style of Netty's memcache codecs: inbound bytes become
 * {@link io.chorus.transport.protocol.Frame}s (or one {@link BadFrame} and then nothing), outbound frames become
 * bytes. One per channel; event loop confined.
 */
public final class FrameCodec extends CombinedChannelDuplexHandler<FrameDecoder, FrameEncoder> {

    public FrameCodec(int maxFrameBytes) {
        super(new FrameDecoder(maxFrameBytes), new FrameEncoder());
    }

    /** A server's: large incomplete frames are reserved in {@code budget} (see {@link FrameDecoder}). */
    FrameCodec(int maxFrameBytes, FrameBudget budget) {
        super(new FrameDecoder(maxFrameBytes, budget), new FrameEncoder());
    }

    /** The decoder, whose frame limit a server raises once a connection's handshake is accepted. */
    public FrameDecoder decoder() {
        return inboundHandler();
    }
}
