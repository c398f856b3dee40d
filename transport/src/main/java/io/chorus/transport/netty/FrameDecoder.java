package io.chorus.transport.netty;

import io.chorus.core.error.ErrorCode;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.FrameFlags;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Reads frames ({@code length:u32 version:u8 opcode:u16 flags:u8 requestId:u64 body}) as a state machine:
 * READ_LENGTH, READ_HEADER, READ_BODY, and BAD once the stream is broken. It never allocates the claimed length:
 * it waits until the body's bytes are in the cumulation (which grows with the bytes actually received) and only
 * then copies the body out into an array of exactly that size, so a lying length prefix costs nothing. A broken
 * stream is not an exception: it emits one {@link BadFrame} and discards every later byte, leaving the answer and
 * the close to the next handler. The superclass releases the cumulation when the channel goes inactive or the
 * handler is removed.
 *
 * <p>The limit on a frame's length can change between frames ({@link #limit}): a server starts a connection with
 * a small one, enough for a HELLO, and raises it once the handshake is accepted, so a peer that has not
 * identified itself cannot make the node buffer a large frame. With a {@link FrameBudget}, the bytes of an
 * incomplete frame longer than {@link #UNACCOUNTED_FRAME_BYTES} that have arrived are reserved in it as they come,
 * and given back when the frame completes or fails, the channel goes inactive or the handler is removed (each
 * once); a reservation the budget refuses ends the stream with an OVERLOADED {@link BadFrame}. One per channel;
 * event loop confined.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /**
     * Frames up to this length are not counted in the budget: the common path then costs no atomic operation, and
     * what they can hold is bounded by the connection limits (a thousand connections stalled in 64 KiB frames are
     * 64 MiB; before the handshake the frame limit is smaller still).
     */
    static final int UNACCOUNTED_FRAME_BYTES = 64 * 1024;

    private enum State { READ_LENGTH, READ_HEADER, READ_BODY, BAD }

    private final FrameBudget budget;
    private int maxFrameBytes;
    /** Bytes of the frame being read reserved in {@link #budget}; 0 when none are. */
    private long reserved;
    private State state = State.READ_LENGTH;
    private int length;
    private int version;
    private int opcode;
    private int flags;
    private long requestId;

    /** {@code maxFrameBytes} bounds the length prefix (header plus body). */
    public FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, null);
    }

    /** As {@link #FrameDecoder(int)}, reserving the bytes of large incomplete frames in {@code budget} (null: not). */
    FrameDecoder(int maxFrameBytes, FrameBudget budget) {
        limit(maxFrameBytes);
        this.budget = budget;
    }

    /**
     * Bounds the length prefix of the frames after the one being read (header plus body); on the loop. A server
     * raises it once a connection's handshake is accepted.
     */
    public void limit(int maxFrameBytes) {
        if (maxFrameBytes < Frame.HEADER_BYTES) {
            throw new IllegalArgumentException("max frame size below the header size: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decodeAvailable(in, out);
    }

    /**
     * The decoding step without a pipeline: reads what {@code in} holds, adding at most one {@link Frame} or
     * {@link BadFrame} to {@code out}, and keeps partial input for the next call. For callers that own the
     * buffer (benchmarks, tools); a pipeline calls it through {@link #decode}.
     */
    public void decodeAvailable(ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_LENGTH -> readLength(in, out);
            case READ_HEADER -> readHeader(in, out);
            case READ_BODY -> readBody(in, out);
            case BAD -> in.skipBytes(in.readableBytes());
            default -> throw new AssertionError(state);
        }
    }

    private void readLength(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < Frame.LENGTH_BYTES) {
            return;
        }
        long claimed = in.readUnsignedInt();
        if (claimed < Frame.HEADER_BYTES) {
            fail(in, out, new BadFrame(ErrorCode.BAD_REQUEST, "frame length " + claimed + " is below the "
                    + Frame.HEADER_BYTES + "-byte header", 0, 0));
        } else if (claimed > maxFrameBytes) {
            fail(in, out, new BadFrame(ErrorCode.TOO_LARGE, "frame length " + claimed + " is over the limit of "
                    + maxFrameBytes, 0, 0));
        } else {
            length = (int) claimed;
            state = State.READ_HEADER;
            readHeader(in, out);
        }
    }

    private void readHeader(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < Frame.HEADER_BYTES) {
            return;
        }
        version = in.readUnsignedByte();
        opcode = in.readUnsignedShort();
        flags = in.readUnsignedByte();
        requestId = in.readLong();
        String problem = version == 0 ? "protocol version 0" : FrameFlags.problem(flags);
        if (problem != null) {
            fail(in, out, new BadFrame(ErrorCode.BAD_REQUEST, "malformed frame header: " + problem, opcode,
                    requestId));
        } else {
            state = State.READ_BODY;
            readBody(in, out);
        }
    }

    private void readBody(ByteBuf in, List<Object> out) {
        int bodyLength = length - Frame.HEADER_BYTES;
        if (in.readableBytes() < bodyLength) {
            holdPartial(in, out);
            return;
        }
        byte[] body = new byte[bodyLength];
        in.readBytes(body);
        releaseReserved();
        state = State.READ_LENGTH;
        out.add(new Frame(version, opcode, flags, requestId, body));
    }

    /**
     * A large frame's body is still arriving: what it holds of it ({@code in}'s readable bytes are all this frame's
     * here) beyond what is reserved already goes into the budget, or the stream ends with OVERLOADED.
     */
    private void holdPartial(ByteBuf in, List<Object> out) {
        if (budget == null || length <= UNACCOUNTED_FRAME_BYTES) {
            return;
        }
        long more = in.readableBytes() - reserved;
        if (more <= 0) {
            return;
        }
        if (budget.reserve(more)) {
            reserved += more;
        } else {
            fail(in, out, new BadFrame(ErrorCode.OVERLOADED, "the node's buffer for partial frames is full ("
                    + budget.buffered() + " of " + budget.limit() + " bytes held by incomplete frames);"
                    + " retry later", opcode, requestId));
        }
    }

    private void releaseReserved() {
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }

    private void fail(ByteBuf in, List<Object> out, BadFrame bad) {
        state = State.BAD;
        in.skipBytes(in.readableBytes());
        releaseReserved();
        out.add(bad);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            super.channelInactive(ctx);
        } finally {
            releaseReserved();
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releaseReserved();
    }
}
