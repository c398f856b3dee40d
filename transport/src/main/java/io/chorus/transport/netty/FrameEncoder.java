package io.chorus.transport.netty;

import io.chorus.transport.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes a {@link Frame} with its length prefix into one buffer of exactly the frame's size. Size limits are the
 * senders' to check (they know whose limit applies). Stateless; sharable in principle, but one per codec.
 */
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        int size = Frame.LENGTH_BYTES + frame.length();
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        write(frame, out);
    }

    /** The frame's bytes, length prefix first; also used by tests and benchmarks to build raw input. */
    public static void write(Frame frame, ByteBuf out) {
        out.writeInt(frame.length());
        out.writeByte(frame.version());
        out.writeShort(frame.opcode());
        out.writeByte(frame.flags());
        out.writeLong(frame.requestId());
        out.writeBytes(frame.body());
    }
}
