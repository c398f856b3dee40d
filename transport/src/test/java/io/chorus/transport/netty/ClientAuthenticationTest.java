package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.WireErrorCodes;
import io.chorus.transport.auth.Authenticator;
import io.chorus.transport.auth.PasswordHash;
import io.chorus.transport.auth.Principal;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

    /** The users the servers of a test check against; a test may change them while connections are open. */
    private final AtomicReference<UserTable> table = new AtomicReference<>();
    private ChorusServer lastServer;

    private int server(boolean anonymous, TlsContext tls) {
        table.compareAndSet(null, users);
        return server(new UserAuthenticator(table::get, anonymous), tls);
    }

    private int server(Authenticator authenticator, TlsContext tls) {
        ServerConfig config = ServerConfig.defaults(SERVER_ID, () -> 1).withHost(HOST).withIoThreads(1);
        ChorusServer server = new ChorusServer(tls == null ? config : config.withTls(tls), dispatch);
        server.serveClients(recording);
        server.serveNodes(recording);
        server.authenticateClients(authenticator);
        lastServer = server;
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

    @Test
    void aWrongPasswordWithRequestsPipelinedBehindItRunsNothing() throws Exception {
        int port = server(false, null);
        try (RawConnection raw = new RawConnection(HOST, port, 0)) {
            HelloRequest hello = HelloRequest.of(Role.CLIENT, "guesser")
                    .withCredentials(PasswordCredentials.of("writer", "guess"));
            raw.send(Frame.request(1, Opcodes.HELLO, 1, hello.encode()), Frame.request(1, Opcodes.PUT, 2, new byte[0]),
                    Frame.request(1, Opcodes.GET, 3, new byte[0]));
            Frame answer = raw.read();
            assertThat(answer.isError()).isTrue();
            assertThat(WireErrorCodes.fromWire(ErrorBody.decode(answer.body()).code()))
                    .isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(raw.closedByServer(5_000)).isTrue();
        }
        assertThat(handled).isEmpty();
    }

    @Test
    void passwordChecksAreCappedPerAddressAndOnesWhoseConnectionClosedAreNeverHashed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger checks = new AtomicInteger();
        UserAuthenticator real = new UserAuthenticator(() -> users, false);
        Authenticator slow = (credentials, certificate) -> {
            if (credentials != null && checks.incrementAndGet() == 1) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.authenticate(credentials, certificate);
        };
        int port = server(slow, null);
        // The first holds the one hashing thread; three more wait behind it: four from this address.
        CompletableFuture<ClientConnection> first = connecting(port, PasswordCredentials.of("reader", "reader-pw"),
                null);
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> checks.get() == 1);
        List<RawConnection> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawConnection raw = new RawConnection(HOST, port, 0);
            raw.send(Frame.request(1, Opcodes.HELLO, 1, HelloRequest.of(Role.CLIENT, "w" + i)
                    .withCredentials(PasswordCredentials.of("reader", "reader-pw")).encode()));
            waiting.add(raw);
        }
        // A fifth from the same address is refused at once rather than queued.
        ChorusException fifth = failure(connecting(port, PasswordCredentials.of("reader", "reader-pw"), null));
        assertThat(fifth.code()).isEqualTo(ErrorCode.OVERLOADED);
        // A client that needs no hash does not wait behind the passwords (a lookup: refused here, at once).
        assertThat(failure(connecting(port, null, null)).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        for (RawConnection raw : waiting) {
            raw.close();
        }
        // The server closed them (only the first still holds a pending slot) before the hashing thread is free.
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> lastServer.stats().pendingHandshakes() == 1);
        release.countDown();
        ClientConnection in = first.get(10, TimeUnit.SECONDS);
        toClose.push(in);
        send(in, Opcodes.GET).get(10, TimeUnit.SECONDS);
        // The three that gave up were dropped unhashed: only the first password was checked.
        assertThat(checks.get()).isEqualTo(1);
    }

    @Test
    void anAuthenticatorThatNamesNobodyLetsNobodyIn() throws Exception {
        int port = server((credentials, certificate) -> null, null);
        ChorusException e = failure(connecting(port, PasswordCredentials.of("reader", "reader-pw"), null));
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(e.getMessage()).doesNotContain("reader-pw");
        assertThat(handled).isEmpty();
    }

    @Test
    void aRemovedUserIsCutOffAndADowngradedOneLosesItsRolesOnOpenConnections() throws Exception {
        int port = server(false, null);
        ClientConnection writer = connect(port, "writer", "writer-pw");
        send(writer, Opcodes.PUT).get(10, TimeUnit.SECONDS);
        table.set(users.with(new UserTable.User("writer", EnumSet.of(Permission.READ), hash("writer-pw"))));
        assertThat(failure(send(writer, Opcodes.PUT)).code()).isEqualTo(ErrorCode.FORBIDDEN);
        send(writer, Opcodes.GET).get(10, TimeUnit.SECONDS);
        table.set(users.without("writer"));
        ChorusException removed = failure(send(writer, Opcodes.GET));
        assertThat(removed.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(removed.getMessage()).contains("removed");
        assertThat(handled).containsExactly("PUT", "GET");
    }

    @Test
    void aClientCertificateCannotSayHelloAsANodeNorCanANodeSendAPassword() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("node-1");
        int port = server(false, TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile())));
        // chorus certs client makes clientAuth-only certificates: not a node's.
        Issued client = ca.issueClient("node-7");
        ChorusException asClient = failure(nodeHello(port, client, ca, "node-7"));
        assertThat(asClient.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(asClient.getMessage()).contains("client's");
        // A certificate good for anything, but naming a user: that user cannot skip its roles as a "node".
        Issued reader = ca.issueWithoutKeyUsage("reader");
        ChorusException asUser = failure(nodeHello(port, reader, ca, "reader"));
        assertThat(asUser.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(asUser.getMessage()).contains("is a user");
        // A node's certificate is a node's.
        ClientConnection node = nodeHello(port, ca.issue("node-2"), ca, "node-2").get(10, TimeUnit.SECONDS);
        toClose.push(node);
        send(node, Opcodes.PUT).get(10, TimeUnit.SECONDS);
        assertThat(handled).containsExactly("PUT");

        // A node HELLO that carries a password is malformed, whatever the certificate.
        byte[] nodeHello = HelloRequest.of(Role.NODE, "node-2").encode();
        byte[] withTail = java.util.Arrays.copyOf(nodeHello, nodeHello.length + 7);
        System.arraycopy(new byte[] {1, 2, 'a', 'b', 2, 'p', 'w'}, 0, withTail, nodeHello.length, 7);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> HelloRequest.decode(withTail)))
                .isInstanceOf(io.chorus.core.error.MalformedEncodingException.class).hasMessageContaining("node");
    }

    private CompletableFuture<ClientConnection> nodeHello(int port, Issued cert, Authority ca, String name)
            throws Exception {
        TlsContext tls = TlsContext.load(TlsConfig.of(cert.certificateFile(), cert.keyFile(), ca.certificateFile()));
        return ClientConnection.connect(clientLoops, new InetSocketAddress(HOST, port), HelloRequest.of(Role.NODE, name),
                ClientOptions.callbacksOn(dispatch).withTls(tls));
    }
}
