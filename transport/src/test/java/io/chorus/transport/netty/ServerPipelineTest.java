package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.FrameFlags;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.HelloResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PingBody;
import io.chorus.transport.protocol.Role;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's codec and connection handler on an {@link EmbeddedChannel}, with a direct dispatch executor: the
 * handshake, the server's own opcodes, error mapping and limits, byte by byte.
 */
class ServerPipelineTest {

    private static final NodeId SELF = NodeId.of("node-a");
    private static final int MAX_FRAME = 4096;

    private final TrackedBuffers buffers = new TrackedBuffers();
    private final Dispatcher dispatcher = new Dispatcher(ServerConfig.defaults(SELF, () -> 17)
            .withMaxFrameBytes(MAX_FRAME).withMaxInFlightPerConnection(2), Runnable::run);
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameCodec(MAX_FRAME),
            new ServerConnectionHandler(dispatcher));
    private final AtomicReference<NodeId> lastFrom = new AtomicReference<>();

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        buffers.assertAllReleased();
    }

    private void send(Frame... frames) {
        channel.writeInbound(buffers.of(TrackedBuffers.bytes(frames)));
        channel.runPendingTasks();
    }

    private List<Frame> replies() {
        channel.runPendingTasks();
        List<Frame> out = new ArrayList<>();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.add(TrackedBuffers.parse(buf));
        }
        return out;
    }

    private Frame hello(Role role, String name) {
        return Frame.request(1, Opcodes.HELLO, 1, HelloRequest.of(role, name).encode());
    }

    private void handshake(Role role) {
        send(hello(role, role == Role.CLIENT ? "client-1" : "node-b"));
        assertThat(replies()).singleElement().satisfies(f -> assertThat(f.isError()).isFalse());
    }

    private static ErrorBody error(Frame f) {
        assertThat(f.flags()).isEqualTo(FrameFlags.RESPONSE | FrameFlags.ERROR);
        return ErrorBody.decode(f.body());
    }

    private RequestHandler echo() {
        return (from, req) -> {
            lastFrom.set(from);
            return CompletableFuture.completedFuture(Message.of(req.opcode(), req.body()));
        };
    }

    @Test
    void helloIsAnsweredWithVersionNodeIdAndRingVersion() {
        send(hello(Role.CLIENT, "client-1"));
        Frame reply = replies().get(0);
        assertThat(reply.isResponse()).isTrue();
        assertThat(reply.requestId()).isEqualTo(1);
        assertThat(HelloResponse.decode(reply.body())).isEqualTo(new HelloResponse(1, SELF, 17));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aMissingHandshakeIsABadRequestAndClosesTheConnection() {
        send(Frame.request(1, Opcodes.GET, 5, new byte[] {1, 'k', 0, 0, 0}),
                Frame.request(1, Opcodes.GET, 6, new byte[] {1, 'k', 0, 0, 0}));
        List<Frame> replies = replies();
        assertThat(replies).singleElement().satisfies(f -> {
            assertThat(f.requestId()).isEqualTo(5);
            assertThat(error(f).errorCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        });
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aMalformedHelloClosesTheConnection() {
        send(Frame.request(1, Opcodes.HELLO, 1, new byte[] {1, 1, 7, 1, 'x'}));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void noCommonVersionIsUnsupportedVersionAndCloses() {
        send(Frame.request(2, Opcodes.HELLO, 1, new HelloRequest(2, 3, Role.CLIENT, "future").encode()));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anUnknownOpcodeIsAnsweredAndTheConnectionStaysOpen() {
        dispatcher.serve(Role.CLIENT, echo());
        handshake(Role.CLIENT);
        send(Frame.request(1, 0x0777, 9, new byte[0]), Frame.request(1, 0x1001, 10, new byte[0]));
        List<Frame> replies = replies();
        assertThat(replies).hasSize(2).allSatisfy(f ->
                assertThat(error(f).errorCode()).isEqualTo(ErrorCode.UNKNOWN_OPCODE));
        assertThat(replies).extracting(Frame::requestId).containsExactly(9L, 10L);
        assertThat(channel.isOpen()).isTrue();
        send(Frame.request(1, Opcodes.STATS, 11, new byte[0]));
        assertThat(replies()).singleElement().satisfies(f -> assertThat(f.isError()).isFalse());
    }

    /** The membership admin opcodes are client requests: they reach the client handler, not UNKNOWN_OPCODE. */
    @Test
    void membershipAdminOpcodesReachTheClientHandler() {
        dispatcher.serve(Role.CLIENT, echo());
        handshake(Role.CLIENT);
        int[] admin = {Opcodes.MEMBERS, Opcodes.RING, Opcodes.JOIN, Opcodes.LEAVE, Opcodes.REMOVE, Opcodes.PLAN,
                Opcodes.COMMIT, Opcodes.TRANSFERS, Opcodes.BACKUP};
        long id = 20;
        for (int opcode : admin) {
            send(Frame.request(1, opcode, id, new byte[] {(byte) opcode}));
            long expectedId = id++;
            assertThat(replies()).as(Opcodes.name(opcode)).singleElement().satisfies(f -> {
                assertThat(f.isError()).isFalse();
                assertThat(f.opcode()).isEqualTo(opcode);
                assertThat(f.requestId()).isEqualTo(expectedId);
                assertThat(f.body()).containsExactly((byte) opcode);
            });
        }
        // The concern is not opened wholesale: an opcode past the table is still unknown to a client.
        send(Frame.request(1, 0x020D, id, new byte[0]));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.UNKNOWN_OPCODE);
    }

    @Test
    void manyRequestsInOneReadAreAllDispatchedAndAnswered() {
        int n = ServerConnectionHandler.MAX_BATCH * 2 + 3;
        Dispatcher roomy = new Dispatcher(ServerConfig.defaults(SELF, () -> 17), Runnable::run);
        roomy.serve(Role.CLIENT, echo());
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(MAX_FRAME), new ServerConnectionHandler(roomy));
        Frame[] frames = new Frame[n + 1];
        frames[0] = hello(Role.CLIENT, "client-1");
        for (int i = 0; i < n; i++) {
            frames[i + 1] = Frame.request(1, Opcodes.GET, 100 + i, new byte[] {(byte) i});
        }
        ch.writeInbound(buffers.of(TrackedBuffers.bytes(frames)));
        ch.runPendingTasks();
        List<Frame> replies = new ArrayList<>();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            replies.add(TrackedBuffers.parse(buf));
        }
        ch.finishAndReleaseAll();
        assertThat(replies.remove(0).opcode()).isEqualTo(Opcodes.HELLO);
        assertThat(replies).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(replies.get(i)).isEqualTo(Frame.response(1, Opcodes.GET, 100 + i, new byte[] {(byte) i}));
        }
    }

    @Test
    void nodeOpcodesReachTheNodeHandlerWithTheHelloNameAsFrom() {
        dispatcher.serve(Role.NODE, echo());
        handshake(Role.NODE);
        send(Frame.request(1, 0x1001, 3, new byte[] {4, 5}));
        Frame reply = replies().get(0);
        assertThat(reply).isEqualTo(Frame.response(1, 0x1001, 3, new byte[] {4, 5}));
        assertThat(lastFrom.get()).isEqualTo(NodeId.of("node-b"));
    }

    @Test
    void aRoleWithoutAHandlerGetsUnavailable() {
        handshake(Role.NODE);
        send(Frame.request(1, 0x2001, 3, new byte[0]));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void pingIsEchoedAndAnOversizedPayloadIsTooLarge() {
        handshake(Role.CLIENT);
        byte[] ping = new PingBody(new byte[] {1, 2, 3}).encode();
        send(Frame.request(1, Opcodes.PING, 4, ping));
        assertThat(replies()).containsExactly(Frame.response(1, Opcodes.PING, 4, ping));
        byte[] big = new byte[1027];
        big[0] = (byte) 0x81;
        big[1] = 0x08;
        send(Frame.request(1, Opcodes.PING, 5, big));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void handlerFailuresBecomeErrorFramesWithTheirCode() {
        dispatcher.serve(Role.CLIENT, (from, req) -> switch (req.bodyUnsafe()[0]) {
            case 1 -> CompletableFuture.failedFuture(new ChorusException(ErrorCode.NOT_A_REPLICA, "refresh"));
            case 2 -> throw new ChorusException(ErrorCode.STORAGE_FULL, "disk");
            case 3 -> throw new MalformedEncodingException("bad body");
            case 4 -> null;
            default -> throw new IllegalStateException("bug");
        });
        handshake(Role.CLIENT);
        for (int i = 1; i <= 5; i++) {
            send(Frame.request(1, Opcodes.GET, i, new byte[] {(byte) i}));
        }
        assertThat(replies()).extracting(f -> error(f).errorCode()).containsExactly(ErrorCode.NOT_A_REPLICA,
                ErrorCode.STORAGE_FULL, ErrorCode.BAD_REQUEST, ErrorCode.INTERNAL, ErrorCode.INTERNAL);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void requestsOverTheInFlightLimitAreOverloaded() {
        List<CompletableFuture<Message>> held = new ArrayList<>();
        dispatcher.serve(Role.CLIENT, (from, req) -> {
            CompletableFuture<Message> f = new CompletableFuture<>();
            held.add(f);
            return f;
        });
        handshake(Role.CLIENT);
        for (int i = 1; i <= 3; i++) {
            send(Frame.request(1, Opcodes.GET, i, new byte[0]));
        }
        assertThat(replies()).singleElement().satisfies(f -> {
            assertThat(f.requestId()).isEqualTo(3);
            assertThat(error(f).errorCode()).isEqualTo(ErrorCode.OVERLOADED);
        });
        held.forEach(f -> f.complete(Message.of(Opcodes.GET, new byte[0])));
        assertThat(replies()).extracting(Frame::requestId).containsExactly(1L, 2L);
        send(Frame.request(1, Opcodes.GET, 4, new byte[0]));
        assertThat(held).hasSize(3);
    }

    @Test
    void anOversizedFrameIsTooLargeAndCloses() {
        handshake(Role.CLIENT);
        channel.writeInbound(buffers.of(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3}));
        Frame reply = replies().get(0);
        assertThat(error(reply).errorCode()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(reply.requestId()).isZero();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aResponseTooBigForAFrameBecomesTooLarge() {
        dispatcher.serve(Role.CLIENT, (from, req) -> CompletableFuture.completedFuture(
                Message.of(Opcodes.GET, new byte[MAX_FRAME])));
        handshake(Role.CLIENT);
        send(Frame.request(1, Opcodes.GET, 8, new byte[0]));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.TOO_LARGE);
    }

    @Test
    void protocolViolationsAfterTheHandshake() {
        handshake(Role.CLIENT);
        send(hello(Role.CLIENT, "again"));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        send(Frame.response(1, Opcodes.GET, 3, new byte[0]));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(channel.isOpen()).isTrue();
        // a frame in another version than the one negotiated: the stream is not what we think, close
        send(Frame.request(2, Opcodes.PING, 4, new PingBody(new byte[0]).encode()));
        assertThat(error(replies().get(0)).errorCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(channel.isOpen()).isFalse();
    }
}
