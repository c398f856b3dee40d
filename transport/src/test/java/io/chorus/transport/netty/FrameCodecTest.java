package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.error.ErrorCode;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.FrameFlags;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The frame codec alone on an {@link EmbeddedChannel}: byte fixtures, slicing, garbage, and release checks. */
class FrameCodecTest {

    private static final int MAX = 64 * 1024;

    private final TrackedBuffers buffers = new TrackedBuffers();
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameCodec(MAX));

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        buffers.assertAllReleased();
    }

    private static List<Frame> sampleFrames() {
        Random rnd = new Random(7);
        byte[] big = new byte[40_000];
        rnd.nextBytes(big);
        return List.of(
                Frame.request(1, Opcodes.HELLO, 1, HelloRequest.of(Role.CLIENT, "c").encode()),
                Frame.request(1, Opcodes.PING, 2, new byte[0]),
                Frame.response(1, Opcodes.GET, Long.MAX_VALUE, new byte[] {1, 2, 3}),
                Frame.response(1, 0xFFFF, -1L, big),
                Frame.error(1, Opcodes.PUT, 77, ErrorBody.of(ErrorCode.QUORUM_NOT_MET, "1 of 2", 1, 2)),
                Frame.request(200, 0x1001, 0, new byte[] {9}));
    }

    private List<Object> inbound() {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void aFrameHasTheSpecLayout() {
        byte[] fixture = {
            0, 0, 0, 14, // length: 12-byte header + 2-byte body
            1, // version
            0x00, 0x02, // PING
            0x00, // flags
            0, 0, 0, 0, 0, 0, 0x01, 0x02, // request id 258
            1, 'x'}; // body: payload "x"
        Frame expected = Frame.request(1, Opcodes.PING, 258, new byte[] {1, 'x'});
        assertThat(channel.writeOutbound(expected)).isTrue();
        ByteBuf out = channel.readOutbound();
        byte[] encoded = new byte[out.readableBytes()];
        out.readBytes(encoded);
        out.release();
        assertThat(encoded).containsExactly(fixture);
        assertThat(channel.writeInbound(buffers.of(fixture))).isTrue();
        assertThat(inbound()).containsExactly(expected);
    }

    @Test
    void framesRoundTripThroughEncoderAndDecoder() {
        for (Frame frame : sampleFrames()) {
            channel.writeOutbound(frame);
            ByteBuf wire = channel.readOutbound();
            assertThat(wire.readableBytes()).isEqualTo(4 + frame.length());
            channel.writeInbound(buffers.track(wire));
            assertThat(inbound()).containsExactly(frame);
        }
    }

    @Test
    void aFrameDeliveredOneByteAtATime() {
        assertSlicedDelivery(1);
    }

    @Test
    void aFrameDeliveredInFiveByteSlices() {
        assertSlicedDelivery(5);
    }

    private void assertSlicedDelivery(int slice) {
        List<Frame> frames = sampleFrames().subList(0, 5);
        byte[] wire = TrackedBuffers.bytes(frames.toArray(new Frame[0]));
        for (int at = 0; at < wire.length; at += slice) {
            channel.writeInbound(buffers.of(wire, at, Math.min(wire.length, at + slice)));
        }
        assertThat(inbound()).containsExactlyElementsOf(frames);
    }

    @Test
    void framesDeliveredInRandomSlices() {
        Random rnd = new Random(42);
        List<Frame> frames = sampleFrames();
        byte[] wire = TrackedBuffers.bytes(frames.toArray(new Frame[0]));
        for (int round = 0; round < 20; round++) {
            int at = 0;
            while (at < wire.length) {
                int end = Math.min(wire.length, at + 1 + rnd.nextInt(rnd.nextBoolean() ? 7 : 5000));
                channel.writeInbound(buffers.of(wire, at, end));
                at = end;
            }
            assertThat(inbound()).containsExactlyElementsOf(frames);
        }
    }

    @Test
    void twoFramesInOneBuffer() {
        Frame a = Frame.request(1, Opcodes.GET, 1, new byte[] {1, 'k', 0, 0, 0});
        Frame b = Frame.request(1, Opcodes.GET, 2, new byte[] {1, 'j', 0, 0, 0});
        channel.writeInbound(buffers.of(TrackedBuffers.bytes(a, b)));
        assertThat(inbound()).containsExactly(a, b);
    }

    @Test
    void aTruncatedFrameEmitsNothingAndIsReleasedOnClose() {
        byte[] wire = TrackedBuffers.bytes(sampleFrames().get(3));
        channel.writeInbound(buffers.of(wire, 0, wire.length - 1));
        assertThat(inbound()).isEmpty();
        channel.close();
        assertThat(inbound()).isEmpty();
    }

    @Test
    void aPartialFrameIsReleasedWhenTheCodecIsRemoved() {
        byte[] wire = TrackedBuffers.bytes(sampleFrames().get(3));
        channel.writeInbound(buffers.of(wire, 0, 1000));
        assertThat(inbound()).isEmpty();
        channel.pipeline().remove(FrameCodec.class);
        // ByteToMessageDecoder hands its leftover bytes on instead of keeping them: no frame, and nothing held by
        // the removed codec (the release check after each test fails on a buffer nobody released). The header is
        // already decoded, so what is left is the part of the body that came.
        List<Object> leftover = inbound();
        try {
            assertThat(leftover).hasSize(1).first().isInstanceOfSatisfying(ByteBuf.class,
                    buf -> assertThat(buf.readableBytes()).isEqualTo(1000 - 4 - Frame.HEADER_BYTES));
        } finally {
            leftover.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void anOversizedLengthIsRejectedAtOnceWithoutWaitingForTheBytes() {
        channel.writeInbound(buffers.of(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
        List<Object> out = inbound();
        assertThat(out).hasSize(1).first().isInstanceOfSatisfying(BadFrame.class, bad -> {
            assertThat(bad.code()).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(bad.requestId()).isZero();
        });
        // The stream is broken: later bytes, even a valid frame, are discarded.
        channel.writeInbound(buffers.of(TrackedBuffers.bytes(sampleFrames().get(1))));
        assertThat(inbound()).isEmpty();
    }

    @Test
    void aLargeClaimedLengthIsNotAllocatedUpFront() {
        int max = 16 * 1024 * 1024;
        RecordingAllocator alloc = new RecordingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new FrameCodec(max));
        byte[] header = TrackedBuffers.bytes(Frame.request(1, Opcodes.PUT, 5, new byte[0]));
        header[0] = 0x00;
        header[1] = (byte) 0xFF; // claims 16 MiB - 1 bytes of frame
        header[2] = (byte) 0xFF;
        header[3] = (byte) 0xFF;
        ch.writeInbound(buffers.of(header));
        byte[] chunk = new byte[1000];
        for (int k = 0; k < 50; k++) {
            ch.writeInbound(buffers.of(chunk));
        }
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(alloc.largest).as("largest buffer the decoder asked for").isLessThan(256 * 1024);
        ch.finishAndReleaseAll();
    }

    /** Remembers the largest buffer asked for. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        int largest;

        RecordingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            largest = Math.max(largest, initialCapacity);
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            largest = Math.max(largest, initialCapacity);
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    @Test
    void aLengthBelowTheHeaderIsABadRequest() {
        channel.writeInbound(buffers.of(new byte[] {0, 0, 0, 11}));
        assertThat(inbound()).singleElement().isInstanceOfSatisfying(BadFrame.class,
                bad -> assertThat(bad.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void badHeadersAreBadRequestsThatKeepTheRequestId() {
        for (int flags : new int[] {0x04, 0x80, FrameFlags.ERROR}) {
            assertBadHeader(1, flags);
        }
        assertBadHeader(0, 0);
    }

    private void assertBadHeader(int version, int flags) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(MAX));
        byte[] wire = TrackedBuffers.bytes(Frame.request(1, Opcodes.GET, 99, new byte[3]));
        wire[4] = (byte) version;
        wire[7] = (byte) flags;
        ch.writeInbound(buffers.of(wire));
        Object out = ch.readInbound();
        assertThat(out).isInstanceOfSatisfying(BadFrame.class, bad -> {
            assertThat(bad.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(bad.requestId()).isEqualTo(99);
            assertThat(bad.opcode()).isEqualTo(Opcodes.GET);
        });
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void randomGarbageNeverThrowsAndStopsAtTheFirstBadFrame() {
        Random rnd = new Random(1234);
        for (int round = 0; round < 300; round++) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(MAX));
            byte[] garbage = new byte[rnd.nextInt(200)];
            rnd.nextBytes(garbage);
            if (rnd.nextBoolean() && garbage.length >= 4) {
                // A plausible length, so the header and body paths are reached too.
                garbage[0] = 0;
                garbage[1] = 0;
                garbage[2] = 0;
                garbage[3] = (byte) (12 + rnd.nextInt(40));
            }
            int at = 0;
            while (at < garbage.length) {
                int end = Math.min(garbage.length, at + 1 + rnd.nextInt(16));
                ch.writeInbound(buffers.of(garbage, at, end)); // throws if anything reached exceptionCaught
                at = end;
            }
            List<Object> out = new ArrayList<>();
            Object o;
            while ((o = ch.readInbound()) != null) {
                out.add(o);
            }
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.get(i)).isInstanceOfAny(Frame.class, BadFrame.class);
                if (out.get(i) instanceof BadFrame) {
                    assertThat(i).as("nothing after a bad frame in %s", Arrays.toString(garbage))
                            .isEqualTo(out.size() - 1);
                }
            }
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void theLimitCanBeRaisedBetweenFrames() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(100));
        Frame small = Frame.request(1, Opcodes.HELLO, 1, new byte[88]);
        Frame large = Frame.request(1, Opcodes.GET, 2, new byte[188]);
        ch.writeInbound(buffers.of(TrackedBuffers.bytes(small)));
        assertThat((Object) ch.readInbound()).isEqualTo(small);
        ch.pipeline().get(FrameCodec.class).decoder().limit(200);
        ch.writeInbound(buffers.of(TrackedBuffers.bytes(large)));
        assertThat((Object) ch.readInbound()).isEqualTo(large);
        ch.finishAndReleaseAll();

        EmbeddedChannel fixed = new EmbeddedChannel(new FrameCodec(100));
        fixed.writeInbound(buffers.of(TrackedBuffers.bytes(large)));
        assertThat((Object) fixed.readInbound()).isInstanceOfSatisfying(BadFrame.class,
                bad -> assertThat(bad.code()).isEqualTo(ErrorCode.TOO_LARGE));
        fixed.finishAndReleaseAll();
    }

    /** A frame of {@code frameLength} bytes (header included), as it goes on the wire. */
    private static byte[] wireOfLength(int frameLength, long requestId) {
        byte[] body = new byte[frameLength - Frame.HEADER_BYTES];
        return TrackedBuffers.bytes(Frame.request(1, Opcodes.PUT, requestId, body));
    }

    /** Bytes of a frame's body in the decoder once {@code sent} bytes of its wire form came. */
    private static long bodyBytes(int sent) {
        return sent - Frame.LENGTH_BYTES - Frame.HEADER_BYTES;
    }

    @Test
    void aLargeFrameReservesWhatCameOfItUntilItCompletes() {
        FrameBudget budget = new FrameBudget(1 << 20);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(1 << 20, budget));
        byte[] wire = wireOfLength(200_000, 9);
        ch.writeInbound(buffers.of(wire, 0, 50_000));
        assertThat(budget.buffered()).isEqualTo(bodyBytes(50_000));
        ch.writeInbound(buffers.of(wire, 50_000, 120_000));
        assertThat(budget.buffered()).isEqualTo(bodyBytes(120_000));
        ch.writeInbound(buffers.of(wire, 120_000, wire.length));
        assertThat((Object) ch.readInbound()).isInstanceOfSatisfying(Frame.class,
                f -> assertThat(f.requestId()).isEqualTo(9));
        assertThat(budget.buffered()).as("released when the frame is complete").isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aLyingLengthCostsOnlyTheBytesThatCameAndSmallFramesCostNothing() {
        FrameBudget budget = new FrameBudget(1 << 20);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(16 << 20, budget));
        byte[] claim = wireOfLength(16 << 20, 3);
        ch.writeInbound(buffers.of(claim, 0, 26));
        assertThat(budget.buffered()).as("claims 16 MiB, sent 10 bytes of it").isEqualTo(10);
        ch.finishAndReleaseAll();
        assertThat(budget.buffered()).isZero();

        EmbeddedChannel small = new EmbeddedChannel(new FrameCodec(16 << 20, budget));
        small.writeInbound(buffers.of(wireOfLength(FrameDecoder.UNACCOUNTED_FRAME_BYTES, 4), 0, 60_000));
        assertThat(budget.buffered()).as("a frame of up to 64 KiB is not counted").isZero();
        small.finishAndReleaseAll();
    }

    @Test
    void aFrameThatWouldOverflowTheBudgetIsOverloadedAndGivesBackWhatItHeld() {
        FrameBudget budget = new FrameBudget(100_000);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(1 << 20, budget));
        byte[] wire = wireOfLength(200_000, 21);
        ch.writeInbound(buffers.of(wire, 0, 60_000));
        assertThat(budget.buffered()).isEqualTo(bodyBytes(60_000));
        ch.writeInbound(buffers.of(wire, 60_000, 120_000));
        assertThat((Object) ch.readInbound()).isInstanceOfSatisfying(BadFrame.class, bad -> {
            assertThat(bad.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(bad.reason()).contains("buffer for partial frames is full");
            assertThat(bad.requestId()).isEqualTo(21);
            assertThat(bad.opcode()).isEqualTo(Opcodes.PUT);
        });
        assertThat(budget.buffered()).isZero();
        assertThat(budget.refusals()).isEqualTo(1);
        ch.writeInbound(buffers.of(wire, 120_000, wire.length));
        assertThat((Object) ch.readInbound()).as("the stream is broken").isNull();
        ch.finishAndReleaseAll();
        assertThat(budget.buffered()).as("given back once, never below zero").isZero();
    }

    @Test
    void aPartialFrameGivesItsReservationBackOnCloseAndOnRemovalOnce() {
        FrameBudget budget = new FrameBudget(1 << 20);
        byte[] wire = wireOfLength(300_000, 5);
        EmbeddedChannel closed = new EmbeddedChannel(new FrameCodec(1 << 20, budget));
        EmbeddedChannel removed = new EmbeddedChannel(new FrameCodec(1 << 20, budget));
        closed.writeInbound(buffers.of(wire, 0, 100_000));
        removed.writeInbound(buffers.of(wire, 0, 150_000));
        assertThat(budget.buffered()).isEqualTo(bodyBytes(100_000) + bodyBytes(150_000));

        closed.close();
        assertThat(budget.buffered()).isEqualTo(bodyBytes(150_000));
        removed.pipeline().remove(FrameCodec.class);
        assertThat(budget.buffered()).isZero();
        Object leftover = removed.readInbound(); // the decoder hands its partial bytes on when removed
        ReferenceCountUtil.release(leftover);
        removed.close();
        closed.finishAndReleaseAll();
        removed.finishAndReleaseAll();
        assertThat(budget.buffered()).isZero();
    }
}
