package io.chorus.benchmarks.transport;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.transport.netty.FrameCodec;
import io.chorus.transport.netty.FrameDecoder;
import io.chorus.transport.netty.FrameEncoder;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.ProtocolVersion;
import io.chorus.transport.protocol.PutRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire codec of a typical write: a PUT with a 100-byte value, a 12-to-20-byte key and a three-actor context.
 * {@code putFrame} is the whole path a request takes in a node: body encode, frame encode into a pooled buffer by
 * the pipeline's encoder, frame decode by the pipeline's decoder, body decode (target: at most 1 µs). It splits
 * into {@code frameOnly} (the frame codec on a ready body) and {@code bodyOnly} (the body codec alone, most of it
 * the causal context's actors). {@code copyBaseline} writes the frame's bytes into a pooled buffer and copies them
 * out again, the floor any framing pays. Inputs are precomputed and indexed with a power-of-two mask.
 *
 * <p>{@code putCodec} is the codec alone, the figure the 1 µs target is about: body encode, frame encode into a
 * pooled buffer, frame decode with the same decoder the pipeline uses, body decode, buffer released.
 * {@code putFrame} adds EmbeddedChannel's pipeline (promises, its outbound queue), which a real channel does not pay
 * in that form.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar CodecBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class CodecBenchmark {

    private static final int MASK = 1023;

    private final PutRequest[] puts = new PutRequest[MASK + 1];
    private final byte[][] frames = new byte[MASK + 1][];
    private final byte[][] bodies = new byte[MASK + 1][];
    private EmbeddedChannel channel;
    private final FrameDecoder decoder = new FrameDecoder(16 * 1024 * 1024);
    private final List<Object> decoded = new ArrayList<>(1);
    private int i;

    @Setup
    public void setUp() {
        Random rnd = new Random(1);
        ActorId[] actors = {ActorId.of("node-1", 42), ActorId.of("node-2", 7), ActorId.of("node-3", 9)};
        for (int k = 0; k <= MASK; k++) {
            byte[] value = new byte[100];
            rnd.nextBytes(value);
            SiblingSet read = SiblingSet.empty();
            for (ActorId actor : actors) {
                read = read.update(read.context(), actor, value, 1_700_000_000_000L + k);
            }
            byte[] key = ("user:" + rnd.nextInt(Integer.MAX_VALUE)).getBytes(StandardCharsets.UTF_8);
            puts[k] = new PutRequest(key, read.context(), value, 3, 2, 1000);
            bodies[k] = puts[k].encode();
            frames[k] = frameBytes(puts[k], k);
        }
        channel = new EmbeddedChannel(new FrameCodec(16 * 1024 * 1024));
    }

    private static byte[] frameBytes(PutRequest put, long id) {
        Frame frame = Frame.request(ProtocolVersion.V1, Opcodes.PUT, id, put.encode());
        ByteBuf buf = ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            FrameEncoder.write(frame, buf);
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public PutRequest putFrame() {
        int k = i++ & MASK;
        return PutRequest.decode(roundTrip(Frame.request(ProtocolVersion.V1, Opcodes.PUT, k, puts[k].encode()))
                .body());
    }

    @Benchmark
    public PutRequest putCodec() {
        int k = i++ & MASK;
        Frame frame = Frame.request(ProtocolVersion.V1, Opcodes.PUT, k, puts[k].encode());
        ByteBuf wire = ByteBufAllocator.DEFAULT.ioBuffer(Frame.LENGTH_BYTES + Frame.HEADER_BYTES + frame.body().length);
        try {
            FrameEncoder.write(frame, wire);
            decoded.clear();
            decoder.decodeAvailable(wire, decoded);
            return PutRequest.decode(((Frame) decoded.get(0)).body());
        } finally {
            wire.release();
        }
    }

    @Benchmark
    public Frame frameOnly() {
        int k = i++ & MASK;
        return roundTrip(Frame.request(ProtocolVersion.V1, Opcodes.PUT, k, bodies[k]));
    }

    /**
     * Through the pipeline's encoder and decoder. The pipeline is driven directly (write, flush, fireChannelRead)
     * rather than with EmbeddedChannel's writeOutbound/writeInbound, whose task and exception bookkeeping would
     * otherwise dominate what is measured.
     */
    private Frame roundTrip(Frame frame) {
        channel.writeAndFlush(frame);
        ByteBuf wire = channel.readOutbound();
        channel.pipeline().fireChannelRead(wire); // the decoder releases it
        return channel.readInbound();
    }

    @Benchmark
    public PutRequest bodyOnly() {
        return PutRequest.decode(puts[i++ & MASK].encode());
    }

    @Benchmark
    public byte[] copyBaseline() {
        byte[] in = frames[i++ & MASK];
        ByteBuf buf = ByteBufAllocator.DEFAULT.ioBuffer(in.length);
        try {
            buf.writeBytes(in);
            byte[] out = new byte[in.length];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }
}
