package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.Role;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.CompletableFuture;

/**
 * Fuzzes the server's inbound path (frame decoder and connection handler) with arbitrary bytes delivered in
 * arbitrary slices: nothing may be thrown out of the pipeline, every reply must be a well-formed frame, and every
 * buffer must be released. In {@code mvn verify} it replays the seeds under
 * {@code src/test/resources/io/chorus/transport/netty/FrameDecoderFuzzTestInputs/anyBytesAreHandled/}, then Jazzer
 * mutates them for a few seconds (findings in target/fuzz/); {@code -Pfuzz} fuzzes for minutes and stores findings
 * there (transport/pom.xml):
 *
 * <pre>mvn -B verify -pl transport -am -Pfuzz</pre>
 */
class FrameDecoderFuzzTest {

    private static final int MAX_FRAME = 2048;

    @FuzzTest(maxDuration = "2m")
    void anyBytesAreHandled(byte[] input) {
        TrackedBuffers buffers = new TrackedBuffers();
        Dispatcher dispatcher = new Dispatcher(ServerConfig.defaults(NodeId.of("fuzz"), () -> 1)
                .withMaxFrameBytes(MAX_FRAME).withMaxInFlightPerConnection(4), Runnable::run);
        // Answers on the same thread, fails on odd first bytes, leaves 0x7F requests hanging.
        dispatcher.serve(Role.CLIENT, (from, req) -> reply(req));
        dispatcher.serve(Role.NODE, (from, req) -> reply(req));
        EmbeddedChannel channel = new EmbeddedChannel(new FrameCodec(MAX_FRAME),
                new ServerConnectionHandler(dispatcher));
        // The first byte picks the slice size, so the fuzzer also explores how input is split.
        int slice = input.length == 0 ? 1 : 1 + (input[0] & 0x3F);
        for (int at = 1; at < input.length && channel.isOpen(); at += slice) {
            channel.writeInbound(buffers.of(input, at, Math.min(input.length, at + slice)));
            channel.runPendingTasks();
            drainReplies(channel);
        }
        channel.finishAndReleaseAll();
        buffers.assertAllReleased();
    }

    private static CompletableFuture<Message> reply(Message req) {
        byte[] body = req.bodyUnsafe();
        if (body.length > 0 && body[0] == 0x7F) {
            return new CompletableFuture<>();
        }
        if (body.length > 0 && (body[0] & 1) == 1) {
            throw new ChorusException(ErrorCode.NOT_A_REPLICA, "odd");
        }
        return CompletableFuture.completedFuture(req);
    }

    private static void drainReplies(EmbeddedChannel channel) {
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            Frame reply = TrackedBuffers.parse(out);
            assertThat(reply.isResponse()).isTrue();
        }
    }
}
