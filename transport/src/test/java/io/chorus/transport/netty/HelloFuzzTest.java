package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.auth.Authenticator;
import io.chorus.transport.auth.CheapPasswords;
import io.chorus.transport.auth.UserTable;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.FrameFlags;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Permission;
import io.chorus.transport.protocol.ProtocolVersion;
import io.chorus.transport.protocol.Role;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the server's side of the handshake: ServerConnectionHandler with a {@link
 * io.chorus.transport.auth.UserAuthenticator}, fed a HELLO built from the fuzzer's choices (versions, role, name,
 * no credentials or a password for a known, certificate-only or unknown user, junk, a cut) and arbitrary frames
 * after it, in slices. Only a HELLO with a known user's right password (or none, where anonymous access is allowed)
 * may reach a handler, and then only with the opcodes its roles allow; any other HELLO gets one error reply
 * (UNAUTHENTICATED if it decoded) and a closed connection. The credential check, which the server runs on its auth
 * thread, is queued here and run when the fuzzer says, so frames and a half-close also arrive while it is pending.
 * Nothing may be thrown into the pipeline, every reply is one well-formed frame, and every buffer is released. The
 * HELLO decoder alone is {@code protocol.HelloRequestFuzzTest}.
 *
 * <p>In {@code mvn verify} this replays the seeds under
 * {@code src/test/resources/io/chorus/transport/netty/HelloFuzzTestInputs/anyHelloIsAnsweredSafely/}, then fuzzes
 * for a few seconds; {@code -Pfuzz} fuzzes longer and stores findings there (transport/pom.xml). The seeds follow
 * FuzzedDataProvider's layout: byte arrays are taken from the front of the input, the choices from its end, one
 * byte each, last byte first, modulo the number of options (every range here starts at 0).
 */
class HelloFuzzTest {

    private static final int MAX_FRAME = 2048;
    private static final Map<String, String> PASSWORDS = Map.of("alice", "alice-pw", "reader", "reader-pw");
    private static final UserTable USERS = UserTable.empty()
            .with(new UserTable.User("alice", EnumSet.of(Permission.READ, Permission.WRITE),
                    CheapPasswords.hash("alice-pw")))
            .with(new UserTable.User("reader", EnumSet.of(Permission.READ), CheapPasswords.hash("reader-pw")))
            .with(new UserTable.User("app-1", EnumSet.of(Permission.READ), null));
    private static final Authenticator ANONYMOUS_ALLOWED = CheapPasswords.authenticator(() -> USERS, true);
    private static final Authenticator ANONYMOUS_REFUSED = CheapPasswords.authenticator(() -> USERS, false);
    /** Known users (app-1 by certificate only), then one that does not exist. */
    private static final String[] USER_CHOICES = {"alice", "reader", "app-1", "nobody"};
    private static final String[] PASSWORD_CHOICES = {"alice-pw", "reader-pw", "wrong"};
    private static final int[] OPCODES = {Opcodes.GET, Opcodes.PUT, Opcodes.DELETE, Opcodes.PING, Opcodes.HELLO,
            Opcodes.CLUSTER_INFO, Opcodes.JOIN, 0x7777};
    /** What the handler logs when something was thrown into the pipeline: its exceptionCaught. */
    private static final String THROWN = "{}: closing after {}";

    private static final Logger HANDLER_LOG = (Logger) LoggerFactory.getLogger(ServerConnectionHandler.class);
    private static final ListAppender<ILoggingEvent> LOGGED = new ListAppender<>();
    private static Level levelBefore;

    /** The handler's debug lines, to see exceptions it swallows; none of its refusals on the console. */
    @BeforeAll
    static void captureHandlerLog() {
        levelBefore = HANDLER_LOG.getLevel();
        LOGGED.start();
        HANDLER_LOG.addAppender(LOGGED);
        HANDLER_LOG.setAdditive(false);
        HANDLER_LOG.setLevel(Level.DEBUG);
    }

    @AfterAll
    static void releaseHandlerLog() {
        HANDLER_LOG.detachAppender(LOGGED);
        HANDLER_LOG.setAdditive(true);
        HANDLER_LOG.setLevel(levelBefore);
    }

    @FuzzTest(maxDuration = "2m")
    void anyHelloIsAnsweredSafely(FuzzedDataProvider data) {
        boolean anonymous = data.consumeBoolean();
        long helloId = data.consumeInt(0, 7);
        byte[] helloBody = helloBody(data);
        int slice = data.consumeInt(0, 31);
        int authAfter = data.consumeInt(0, 15);
        int shutdownAfter = data.consumeBoolean() ? data.consumeInt(0, 15) : -1;
        boolean leaveDuringAuth = data.consumeBoolean();
        List<Frame> frames = new ArrayList<>();
        frames.add(Frame.request(ProtocolVersion.V1, Opcodes.HELLO, helloId, helloBody));
        int helloBytes = TrackedBuffers.bytes(frames.get(0)).length;
        for (int n = data.consumeInt(0, 4); n > 0; n--) {
            int opcode = OPCODES[data.consumeInt(0, OPCODES.length - 1)];
            int flags = data.consumeBoolean() ? FrameFlags.RESPONSE : 0;
            frames.add(new Frame(1 + data.consumeInt(0, 1), opcode, flags, data.consumeInt(0, 7),
                    data.consumeBytes(data.consumeInt(0, 16))));
        }
        byte[] stream = append(TrackedBuffers.bytes(frames.toArray(new Frame[0])), data.consumeRemainingAsBytes());

        LOGGED.list.clear();
        TrackedBuffers buffers = new TrackedBuffers();
        ArrayDeque<Runnable> authTasks = new ArrayDeque<>();
        Dispatcher dispatcher = new Dispatcher(ServerConfig.defaults(NodeId.of("fuzz"), () -> 1)
                .withMaxFrameBytes(MAX_FRAME).withMaxInFlightPerConnection(4), Runnable::run, authTasks::add);
        dispatcher.authenticateClients(anonymous ? ANONYMOUS_ALLOWED : ANONYMOUS_REFUSED);
        List<Integer> clientCalls = new ArrayList<>();
        List<Integer> nodeCalls = new ArrayList<>();
        dispatcher.serve(Role.CLIENT, recording(clientCalls));
        dispatcher.serve(Role.NODE, recording(nodeCalls));
        EmbeddedChannel channel = new EmbeddedChannel(new FrameCodec(MAX_FRAME),
                new ServerConnectionHandler(dispatcher));

        List<Frame> replies = new ArrayList<>();
        int step = slice == 0 ? stream.length : slice;
        int delivered = 0;
        boolean helloBeforeShutdown = true;
        boolean shutDuringAuth = false;
        for (int at = 0, n = 0; at < stream.length && channel.isOpen(); at += step, n++) {
            delivered = Math.min(stream.length, at + step);
            channel.writeInbound(buffers.of(stream, at, delivered));
            if (n == authAfter) {
                runAuthentication(channel, authTasks);
            }
            drain(channel, replies);
            if (n == shutdownAfter && channel.isOpen()) {
                helloBeforeShutdown = delivered >= helloBytes;
                shutDuringAuth = !authTasks.isEmpty();
                channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                channel.runPendingTasks();
                drain(channel, replies);
                break;
            }
        }
        boolean leftDuringAuth = leaveDuringAuth && !authTasks.isEmpty();
        if (leftDuringAuth) {
            channel.close();
        }
        runAuthentication(channel, authTasks);
        drain(channel, replies);
        boolean open = channel.isOpen();
        channel.finishAndReleaseAll();
        buffers.assertAllReleased();

        assertThat(LOGGED.list).as("exceptions thrown into the pipeline")
                .noneMatch(e -> THROWN.equals(e.getMessage()));
        HelloRequest hello = decodeOrNull(helloBody);
        boolean negotiable = hello != null
                && ProtocolVersion.negotiate(hello.minVersion(), hello.maxVersion()).isPresent();
        boolean accepted = negotiable && (hello.role() == Role.NODE || mayConnect(hello, anonymous));
        assertThat(clientCalls).as("opcodes a client got through").allMatch(op -> accepted
                && hello.role() == Role.CLIENT && allowed(hello, op));
        assertThat(nodeCalls).as("opcodes a node got through").allMatch(op -> accepted && hello.role() == Role.NODE);
        if (shutDuringAuth) {
            // A peer that shuts down its output while its HELLO is checked is closed unanswered.
            assertThat(open).as("open after a half-close during the check").isFalse();
            return;
        }
        if (leftDuringAuth || !helloBeforeShutdown || delivered < helloBytes) {
            return; // the HELLO may have gone unanswered
        }
        assertThat(replies).as("replies").isNotEmpty();
        Frame first = replies.get(0);
        assertThat(first.opcode()).isEqualTo(Opcodes.HELLO);
        assertThat(first.requestId()).isEqualTo(helloId);
        assertThat(first.isError()).as("the HELLO refused: %s", first).isEqualTo(!accepted);
        if (!accepted) {
            assertThat(replies).as("nothing after a refused HELLO").hasSize(1);
            assertThat(open).as("open after a refused HELLO").isFalse();
            if (negotiable) {
                assertThat(ErrorBody.decode(first.body()).errorCode()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            }
        }
    }

    /**
     * {@code min max role name [auth [user password]] junk}, then cut short: each field is a valid value or a
     * fuzzed one, and the lengths are right before junk or a cut makes them wrong.
     */
    private static byte[] helloBody(FuzzedDataProvider data) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(data.consumeInt(0, 3)); // min version
        body.write(data.consumeInt(0, 3)); // max version
        body.write(data.consumeInt(0, 2)); // role, or none
        writeBytes(body, data.consumeBoolean() ? utf8("fuzz-client") : data.consumeBytes(data.consumeInt(0, 24)));
        int auth = data.consumeInt(0, 3); // none, password, an unknown kind, or no tail
        if (auth < 3) {
            body.write(auth);
        }
        if (auth == HelloRequest.AUTH_PASSWORD) {
            int user = data.consumeInt(0, USER_CHOICES.length);
            writeBytes(body, user < USER_CHOICES.length ? utf8(USER_CHOICES[user])
                    : data.consumeBytes(data.consumeInt(0, 24)));
            int password = data.consumeInt(0, PASSWORD_CHOICES.length);
            writeBytes(body, password < PASSWORD_CHOICES.length ? utf8(PASSWORD_CHOICES[password])
                    : data.consumeBytes(data.consumeInt(0, 24)));
        }
        body.writeBytes(data.consumeBytes(data.consumeInt(0, 2)));
        byte[] bytes = body.toByteArray();
        return Arrays.copyOf(bytes, Math.max(0, bytes.length - data.consumeInt(0, 2)));
    }

    /** Whether a decoded HELLO's credentials let it in: the right password of a known user, or none if allowed. */
    private static boolean mayConnect(HelloRequest hello, boolean anonymous) {
        if (hello.credentials() == null) {
            return anonymous;
        }
        String right = PASSWORDS.get(hello.credentials().user());
        return right != null && Arrays.equals(utf8(right), hello.credentials().password());
    }

    /** Whether the client of {@code hello} may send {@code opcode}: its user's roles, every one when anonymous. */
    private static boolean allowed(HelloRequest hello, int opcode) {
        Permission needed = Opcodes.permission(opcode);
        return needed == null || hello.credentials() == null
                || USERS.user(hello.credentials().user()).orElseThrow().roles().contains(needed);
    }

    private static HelloRequest decodeOrNull(byte[] body) {
        try {
            return HelloRequest.decode(body);
        } catch (ChorusException malformed) {
            return null;
        }
    }

    private static RequestHandler recording(List<Integer> calls) {
        return (from, request) -> {
            calls.add(request.opcode());
            return CompletableFuture.completedFuture(Message.of(request.opcode(), new byte[0]));
        };
    }

    /** Runs the queued credential checks, then what they queued on the loop. */
    private static void runAuthentication(EmbeddedChannel channel, ArrayDeque<Runnable> authTasks) {
        while (!authTasks.isEmpty()) {
            authTasks.poll().run();
        }
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
    }

    /**
     * Every outbound buffer, parsed as exactly one well-formed response frame and released; or empty, as the flush
     * behind which a half-closed connection closes.
     */
    private static void drain(EmbeddedChannel channel, List<Frame> replies) {
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            if (!out.isReadable()) {
                out.release();
                continue;
            }
            Frame reply = TrackedBuffers.parse(out);
            assertThat(reply.isResponse()).isTrue();
            replies.add(reply);
        }
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] bytes) {
        // A varint length: every length here is under 128, one byte.
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] append(byte[] a, byte... b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
