package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.WireErrorCodes;
import io.chorus.transport.auth.PasswordHash;
import io.chorus.transport.auth.UserAuthenticator;
import io.chorus.transport.auth.UserTable;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.PasswordCredentials;
import io.chorus.transport.protocol.Permission;
import io.chorus.transport.protocol.Role;
import io.chorus.transport.testing.TestCertificates;
import io.chorus.transport.testing.TestCertificates.Authority;
import io.chorus.transport.testing.TestCertificates.Issued;
import io.chorus.transport.tls.TlsConfig;
import io.chorus.transport.tls.TlsContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client authentication and roles over real sockets: passwords in the HELLO, TLS client certificates naming a
 * user, anonymous access only where allowed, and each opcode only for the roles that allow it. A refused request
 * never reaches the handler.
 */
class ClientAuthenticationTest {

    private static final String HOST = "127.0.0.1";
    private static final NodeId SERVER_ID = NodeId.of("node-1");
    private static EventLoops clientLoops;
    private static ExecutorService dispatch;
    private static UserTable users;

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    /** The opcodes that reached the handler, in order. */
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPools() {
        clientLoops = EventLoops.create(1, "auth-client");
        dispatch = Executors.newFixedThreadPool(2);
        users = UserTable.empty()
                .with(new UserTable.User("reader", EnumSet.of(Permission.READ), hash("reader-pw")))
                .with(new UserTable.User("writer", EnumSet.of(Permission.READ, Permission.WRITE), hash("writer-pw")))
                .with(new UserTable.User("ops", EnumSet.of(Permission.ADMIN), hash("ops-pw")))
                .with(new UserTable.User("app-1", EnumSet.of(Permission.READ), null));
    }

    private static String hash(String password) {
        return PasswordHash.hash(password.getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stopPools() {
        clientLoops.close();
        dispatch.shutdownNow();
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private final RequestHandler recording = (from, request) -> {
        handled.add(Opcodes.name(request.opcode()));
        return CompletableFuture.completedFuture(Message.of(request.opcode(), "ok".getBytes(StandardCharsets.UTF_8)));
    };

    private int server(boolean anonymous, TlsContext tls) {
        ServerConfig config = ServerConfig.defaults(SERVER_ID, () -> 1).withHost(HOST).withIoThreads(1);
        ChorusServer server = new ChorusServer(tls == null ? config : config.withTls(tls), dispatch);
        server.serveClients(recording);
        server.serveNodes(recording);
        server.authenticateClients(new UserAuthenticator(() -> users, anonymous));
        int port = server.start();
        toClose.push(server);
        return port;
    }

    private CompletableFuture<ClientConnection> connecting(int port, PasswordCredentials credentials,
                                                           TlsContext tls) {
        HelloRequest hello = HelloRequest.of(Role.CLIENT, "test-client").withCredentials(credentials);
        ClientOptions options = ClientOptions.callbacksOn(dispatch);
        return ClientConnection.connect(clientLoops, new InetSocketAddress(HOST, port), hello,
                tls == null ? options : options.withTls(tls));
    }

    private ClientConnection connect(int port, String user, String password) throws Exception {
        ClientConnection c = connecting(port, PasswordCredentials.of(user, password), null).get(10, TimeUnit.SECONDS);
        toClose.push(c);
        return c;
    }

    private static CompletableFuture<Message> send(ClientConnection c, int opcode) {
        return c.request(Message.of(opcode, new byte[0]), 5_000);
    }

    private static ChorusException failure(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(ChorusException.class);
        return (ChorusException) e.getCause();
    }

    @Test
    void eachRoleGetsItsOpcodesAndARefusalLeavesTheConnectionOpen() throws Exception {
        int port = server(false, null);
        ClientConnection reader = connect(port, "reader", "reader-pw");
        assertThat(send(reader, Opcodes.GET).get(10, TimeUnit.SECONDS).opcode()).isEqualTo(Opcodes.GET);
        ChorusException put = failure(send(reader, Opcodes.PUT));
        assertThat(put.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(put.getMessage()).contains("reader", "PUT", "write role");
        assertThat(failure(send(reader, Opcodes.DELETE)).code()).isEqualTo(ErrorCode.FORBIDDEN);
        // The topology a client routes by is for everyone.
        send(reader, Opcodes.CLUSTER_INFO).get(10, TimeUnit.SECONDS);
        // Still open and served after the refusals.
        send(reader, Opcodes.GET).get(10, TimeUnit.SECONDS);

        ClientConnection writer = connect(port, "writer", "writer-pw");
        send(writer, Opcodes.PUT).get(10, TimeUnit.SECONDS);
        for (int admin : new int[] {Opcodes.STATS, Opcodes.REPAIR, Opcodes.REMOVE, Opcodes.BACKUP}) {
            assertThat(failure(send(writer, admin)).code()).as(Opcodes.name(admin)).isEqualTo(ErrorCode.FORBIDDEN);
        }
        ClientConnection ops = connect(port, "ops", "ops-pw");
        for (int any : new int[] {Opcodes.STATS, Opcodes.PUT, Opcodes.GET}) {
            send(ops, any).get(10, TimeUnit.SECONDS);
        }
        assertThat(handled).containsExactly("GET", "CLUSTER_INFO", "GET", "PUT", "STATS", "PUT", "GET");
    }

    @Test
    void aWrongPasswordAnUnknownUserOrNoCredentialsAreRefusedAlikeAndNothingRuns() throws Exception {
        int port = server(false, null);
        ChorusException wrong = failure(connecting(port, PasswordCredentials.of("writer", "guess"), null));
        ChorusException unknown = failure(connecting(port, PasswordCredentials.of("nobody", "guess"), null));
        ChorusException none = failure(connecting(port, null, null));
        assertThat(List.of(wrong.code(), unknown.code(), none.code())).containsOnly(ErrorCode.UNAUTHENTICATED);
        // The same words for a user that exists and one that does not: the text tells no user names.
        assertThat(wrong.getMessage()).isEqualTo(unknown.getMessage().replace("nobody", "writer"))
                .doesNotContain("guess");
        assertThat(none.getMessage()).contains("requires authentication");
        // A certificate-only user has no password to guess.
        assertThat(failure(connecting(port, PasswordCredentials.of("app-1", "x"), null)).code())
                .isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(handled).isEmpty();
    }

    @Test
    void anonymousAccessWhereAllowedButAWrongPasswordIsStillRefused() throws Exception {
        int port = server(true, null);
        ClientConnection anonymous = connecting(port, null, null).get(10, TimeUnit.SECONDS);
        toClose.push(anonymous);
        send(anonymous, Opcodes.PUT).get(10, TimeUnit.SECONDS);
        send(anonymous, Opcodes.STATS).get(10, TimeUnit.SECONDS);
        assertThat(failure(connecting(port, PasswordCredentials.of("ops", "wrong"), null)).code())
                .isEqualTo(ErrorCode.UNAUTHENTICATED);
        // A known user gets its own roles, not the anonymous ones.
        ClientConnection reader = connect(port, "reader", "reader-pw");
        assertThat(failure(send(reader, Opcodes.PUT)).code()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void aClientCertificateNamingAUserIsThatUserAndABadCertificateIsUnauthenticated() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("node-1");
        TlsContext serverTls = TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile()));
        int port = server(false, serverTls);

        Issued app = ca.issue("app-1");
        TlsContext appTls = TlsContext.load(TlsConfig.of(app.certificateFile(), app.keyFile(), ca.certificateFile()));
        ClientConnection byCertificate = connecting(port, null, appTls).get(10, TimeUnit.SECONDS);
        toClose.push(byCertificate);
        send(byCertificate, Opcodes.GET).get(10, TimeUnit.SECONDS);
        assertThat(failure(send(byCertificate, Opcodes.PUT)).code()).isEqualTo(ErrorCode.FORBIDDEN);

        // A valid certificate that names no user, and no password: refused.
        Issued stranger = ca.issue("stranger");
        TlsContext strangerTls = TlsContext.load(TlsConfig.of(stranger.certificateFile(), stranger.keyFile(),
                ca.certificateFile()));
        ChorusException noUser = failure(connecting(port, null, strangerTls));
        assertThat(noUser.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(noUser.getMessage()).contains("stranger");
        // With a password as well, the password decides.
        ClientConnection withPassword = connecting(port, PasswordCredentials.of("writer", "writer-pw"), strangerTls)
                .get(10, TimeUnit.SECONDS);
        toClose.push(withPassword);
        send(withPassword, Opcodes.PUT).get(10, TimeUnit.SECONDS);

        // Expired, or from another CA: the TLS handshake refuses it, and the client says UNAUTHENTICATED.
        Issued expired = ca.issueExpired("app-1");
        TlsContext expiredTls = TlsContext.load(TlsConfig.of(expired.certificateFile(), expired.keyFile(),
                ca.certificateFile()));
        assertThat(failure(connecting(port, null, expiredTls)).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        Authority other = TestCertificates.authority(dir, "other-ca");
        Issued foreign = other.issue("app-1");
        TlsContext foreignTls = TlsContext.load(TlsConfig.of(foreign.certificateFile(), foreign.keyFile(),
                ca.certificateFile()));
        assertThat(failure(connecting(port, null, foreignTls)).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(handled).containsExactly("GET", "PUT");
    }

    @Test
    void requestsSentRightBehindAPasswordHelloWaitForItsCheckAndAreJudgedByItsRoles() throws Exception {
        int port = server(false, null);
        try (RawConnection raw = new RawConnection(HOST, port, 0)) {
            HelloRequest hello = HelloRequest.of(Role.CLIENT, "pipelining")
                    .withCredentials(PasswordCredentials.of("reader", "reader-pw"));
            // One write: the GET and PUT are in the server's hands while the password is still being checked.
            raw.send(Frame.request(1, Opcodes.HELLO, 1, hello.encode()),
                    Frame.request(1, Opcodes.GET, 2, new byte[0]),
                    Frame.request(1, Opcodes.PUT, 3, new byte[0]));
            Frame first = raw.read();
            assertThat(first.opcode()).isEqualTo(Opcodes.HELLO);
            assertThat(first.isError()).isFalse();
            Map<Long, Frame> replies = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Frame f = raw.read();
                replies.put(f.requestId(), f);
            }
            assertThat(replies.get(2L).isError()).isFalse();
            assertThat(replies.get(3L).isError()).isTrue();
            assertThat(WireErrorCodes.fromWire(ErrorBody.decode(replies.get(3L).body()).code()))
                    .isEqualTo(ErrorCode.FORBIDDEN);
        }
        assertThat(handled).containsExactly("GET");
    }
}
