package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.transport.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/** Every buffer a test hands to a channel, so the test can check that the pipeline released them all. */
final class TrackedBuffers {

    private final List<ByteBuf> created = new ArrayList<>();

    ByteBuf of(byte[] bytes) {
        return track(Unpooled.buffer(bytes.length).writeBytes(bytes));
    }

    ByteBuf of(byte[] bytes, int from, int to) {
        return track(Unpooled.buffer(to - from).writeBytes(bytes, from, to - from));
    }

    ByteBuf track(ByteBuf buf) {
        created.add(buf);
        return buf;
    }

    void assertAllReleased() {
        for (int i = 0; i < created.size(); i++) {
            assertThat(created.get(i).refCnt()).as("refCnt of buffer %d", i).isZero();
        }
    }

    /** A frame's bytes, length prefix first. */
    static byte[] bytes(Frame... frames) {
        ByteBuf buf = Unpooled.buffer();
        try {
            for (Frame f : frames) {
                FrameEncoder.write(f, buf);
            }
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    /** Parses one frame from an outbound buffer and releases it. */
    static Frame parse(ByteBuf buf) {
        try {
            int length = buf.readInt();
            int version = buf.readUnsignedByte();
            int opcode = buf.readUnsignedShort();
            int flags = buf.readUnsignedByte();
            long id = buf.readLong();
            byte[] body = new byte[length - Frame.HEADER_BYTES];
            buf.readBytes(body);
            assertThat(buf.isReadable()).as("one frame per buffer").isFalse();
            return new Frame(version, opcode, flags, id, body);
        } finally {
            buf.release();
        }
    }
}
