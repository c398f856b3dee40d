package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.NotSentException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.RemoteException;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import io.chorus.transport.testing.TestCertificates;
import io.chorus.transport.testing.TestCertificates.Authority;
import io.chorus.transport.testing.TestCertificates.Issued;
import io.chorus.transport.tls.TlsConfig;
import io.chorus.transport.tls.TlsContext;
import io.chorus.transport.tls.TlsIdentity;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslProvider;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS on real connections over loopback: providers, trust, client certificates, node names, reloads. */
class TlsConnectionTest {

    private static final NodeId SERVER_ID = NodeId.of("n1");
    private static final String HOST = "127.0.0.1";
    private static final int REPLICA_OP = 0x1001;

    private static EventLoops clientLoops;
    private static ExecutorService dispatch;

    @TempDir
    Path dir;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    /** Requests that reached a handler, clients' and nodes' together. */
    private final AtomicInteger handled = new AtomicInteger();

    @BeforeAll
    static void startPools() {
        clientLoops = EventLoops.create(2, "tls-client");
        dispatch = Executors.newFixedThreadPool(2);
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

    private final RequestHandler echo = (from, request) -> {
        handled.incrementAndGet();
        return CompletableFuture.completedFuture(Message.of(request.opcode(),
                (from + ":" + new String(request.bodyUnsafe(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
    };

    private ChorusServer server(TlsContext tls) {
        ChorusServer server = new ChorusServer(ServerConfig.defaults(SERVER_ID, () -> 1).withHost(HOST)
                .withIoThreads(1).withTls(tls), dispatch);
        server.serveClients(echo);
        server.serveNodes(echo);
        server.start();
        toClose.push(server);
        return server;
    }

    private CompletableFuture<ClientConnection> connecting(int port, TlsContext tls, Role role, String name,
                                                           NodeId expected) {
        return ClientConnection.connect(clientLoops, new InetSocketAddress(HOST, port), HelloRequest.of(role, name),
                ClientOptions.callbacksOn(dispatch).withTls(tls), expected);
    }

    private ClientConnection connect(int port, TlsContext tls, Role role, String name) throws Exception {
        ClientConnection c = connecting(port, tls, role, name, null).get(10, TimeUnit.SECONDS);
        toClose.push(c);
        return c;
    }

    private static String call(ClientConnection c, int opcode, String text) throws Exception {
        Message reply = c.request(Message.of(opcode, text.getBytes(StandardCharsets.UTF_8)), 5000)
                .get(10, TimeUnit.SECONDS);
        return new String(reply.bodyUnsafe(), StandardCharsets.UTF_8);
    }

    private static ChorusException failure(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(ChorusException.class);
        return (ChorusException) e.getCause();
    }

    private static BigInteger serverSerial(ClientConnection c) {
        return TlsIdentity.peerCertificate(c.tlsSession()).orElseThrow().getSerialNumber();
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"JDK", "OPENSSL"})
    void clientAndNodeTalkOverTls13(TlsConfig.Provider provider) throws Exception {
        if (provider == TlsConfig.Provider.OPENSSL) {
            assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL does not load here: " + OpenSsl.unavailabilityCause());
        }
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("n1");
        Issued nodeCert = ca.issue("n2");
        TlsContext serverTls = TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile()).withProvider(provider));
        TlsContext clientTls = TlsContext.load(TlsConfig.trusting(ca.certificateFile()).withProvider(provider));
        TlsContext nodeTls = TlsContext.load(TlsConfig.of(nodeCert.certificateFile(), nodeCert.keyFile(),
                ca.certificateFile()).withProvider(provider));
        SslProvider expected = provider == TlsConfig.Provider.JDK ? SslProvider.JDK : SslProvider.OPENSSL;
        assertThat(serverTls.provider()).isEqualTo(expected);
        assertThat(serverTls.serverContext()).isInstanceOf(
                expected == SslProvider.JDK ? JdkSslContext.class : OpenSslContext.class);
        assertThat(clientTls.clientContext()).isInstanceOf(
                expected == SslProvider.JDK ? JdkSslContext.class : OpenSslContext.class);
        System.out.println("TLS provider in this run: " + serverTls.describe());
        int port = server(serverTls).port();

        ClientConnection client = connect(port, clientTls, Role.CLIENT, "app");
        assertThat(call(client, Opcodes.GET, "k")).isEqualTo("app:k");
        SSLSession session = client.tlsSession();
        assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(serverSerial(client)).isEqualTo(serverCert.serial());

        ClientConnection node = connecting(port, nodeTls, Role.NODE, "n2", SERVER_ID).get(10, TimeUnit.SECONDS);
        toClose.push(node);
        assertThat(call(node, REPLICA_OP, "r")).isEqualTo("n2:r");
        assertThat(node.tlsSession().getProtocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void tls12OnlyWhenBothSidesAllowIt() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("n1");
        TlsConfig server13 = TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(), ca.certificateFile());
        int port = server(TlsContext.load(server13.withProtocols(TlsConfig.TLS_1_3, TlsConfig.TLS_1_2))).port();
        TlsContext client12 = TlsContext.load(TlsConfig.trusting(ca.certificateFile())
                .withProtocols(TlsConfig.TLS_1_2));
        assertThat(connect(port, client12, Role.CLIENT, "old").tlsSession().getProtocol()).isEqualTo("TLSv1.2");

        int strict = server(TlsContext.load(server13)).port();
        assertThat(failure(connecting(strict, client12, Role.CLIENT, "old", null)))
                .isInstanceOf(NotSentException.class).hasMessageContaining("TLS handshake");
    }

    @Test
    void aClientTrustingAnotherCaFailsTheHandshakeAndReachesNoHandler() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Authority other = TestCertificates.authority(dir, "other-ca");
        Issued serverCert = ca.issue("n1");
        ChorusServer server = server(TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile())));
        TlsContext wrongTrust = TlsContext.load(TlsConfig.trusting(other.certificateFile()));
        ChorusException e = failure(connecting(server.port(), wrongTrust, Role.CLIENT, "app", null));
        // A certificate refused: not worth retrying elsewhere with the same trust.
        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(e).hasMessageContaining("TLS handshake");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
        assertThat(handled).hasValue(0);
    }

    @Test
    void aPlaintextClientGetsNothingFromATlsServer() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("n1");
        ChorusServer server = server(TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile())));
        ChorusException e = failure(connecting(server.port(), null, Role.CLIENT, "app", null));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
        assertThat(handled).hasValue(0);
    }

    @Test
    void aClientWithoutCertificateIsRefusedWhenClientAuthIsRequired() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("n1");
        Issued appCert = ca.issue("app");
        ChorusServer server = server(TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile()).withClientAuth(TlsConfig.ClientAuth.REQUIRE)));
        // TLS 1.3: the client's side of the handshake may finish before the server refuses, so the refusal shows
        // as a failed handshake or as the connection closing under the HELLO; either way, nothing is served.
        ChorusException e = failure(connecting(server.port(), TlsContext.load(TlsConfig.trusting(ca.certificateFile())),
                Role.CLIENT, "anonymous", null));
        assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(handled).hasValue(0);
        // The same client with a certificate from the CA gets in.
        TlsContext withCert = TlsContext.load(TlsConfig.of(appCert.certificateFile(), appCert.keyFile(),
                ca.certificateFile()));
        assertThat(call(connect(server.port(), withCert, Role.CLIENT, "app"), Opcodes.GET, "k")).isEqualTo("app:k");
    }

    @Test
    void aNodeHelloIsAcceptedOnlyWithACertificateNamingThatNode() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("n1");
        Issued n2 = ca.issue("n2");
        Issued n3BySan = ca.issue("host-3", "n3");
        ChorusServer server = server(TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile())));
        int port = server.port();
        TlsContext n2Tls = TlsContext.load(TlsConfig.of(n2.certificateFile(), n2.keyFile(), ca.certificateFile()));

        ChorusException impostor = failure(connecting(port, n2Tls, Role.NODE, "n3", null));
        assertThat(impostor).isInstanceOf(RemoteException.class);
        assertThat(impostor.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(impostor.getMessage()).contains("n2", "not node n3");

        ChorusException anonymous = failure(connecting(port, TlsContext.load(TlsConfig.trusting(ca.certificateFile())),
                Role.NODE, "n2", null));
        assertThat(anonymous.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(anonymous.getMessage()).contains("presented none");
        assertThat(handled).hasValue(0);

        // Its own name, as CN or as a SAN DNS name, gets it in; a client HELLO with any certificate does too.
        assertThat(call(connect(port, n2Tls, Role.NODE, "n2"), REPLICA_OP, "x")).isEqualTo("n2:x");
        TlsContext n3Tls = TlsContext.load(TlsConfig.of(n3BySan.certificateFile(), n3BySan.keyFile(),
                ca.certificateFile()));
        assertThat(call(connect(port, n3Tls, Role.NODE, "n3"), REPLICA_OP, "y")).isEqualTo("n3:y");
        assertThat(call(connect(port, n2Tls, Role.CLIENT, "app"), Opcodes.GET, "z")).isEqualTo("app:z");
    }

    @Test
    void aNodeConnectionRefusesAServerThatIsNotTheNodeItMeant() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued serverCert = ca.issue("n1");
        Issued n2 = ca.issue("n2");
        int port = server(TlsContext.load(TlsConfig.of(serverCert.certificateFile(), serverCert.keyFile(),
                ca.certificateFile()))).port();
        TlsContext n2Tls = TlsContext.load(TlsConfig.of(n2.certificateFile(), n2.keyFile(), ca.certificateFile()));
        ChorusException e = failure(connecting(port, n2Tls, Role.NODE, "n2", NodeId.of("n9")));
        assertThat(e).isInstanceOf(NotSentException.class).hasMessageContaining("expected node n9");
    }

    @Test
    void nodesTalkThroughNettyTransportOverTls() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        EventLoops loops = EventLoops.create(2, "tls-nodes");
        toClose.push(loops);
        NettyTransport[] transports = new NettyTransport[2];
        int i = 0;
        for (NodeId id : new NodeId[] {a, b}) {
            Issued cert = ca.issue(id.name());
            TlsContext tls = TlsContext.load(TlsConfig.of(cert.certificateFile(), cert.keyFile(),
                    ca.certificateFile()));
            ChorusServer server = new ChorusServer(ServerConfig.defaults(id, () -> 1).withHost(HOST).withTls(tls),
                    dispatch, loops);
            addresses.put(id, new InetSocketAddress(HOST, server.start()));
            toClose.push(server);
            NettyTransport transport = new NettyTransport(id, addresses::get, loops, server,
                    ClientOptions.callbacksOn(dispatch).withTls(tls));
            toClose.push(transport);
            transport.serve(echo);
            transports[i++] = transport;
        }
        Message reply = transports[0].request(b, Message.of(REPLICA_OP, "hi".getBytes(StandardCharsets.UTF_8)), 5000)
                .get(10, TimeUnit.SECONDS);
        assertThat(new String(reply.bodyUnsafe(), StandardCharsets.UTF_8)).isEqualTo("a:hi");
    }

    @Test
    void aRenewedCertificateServesNewConnectionsWithoutARestart() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued first = ca.issue("n1");
        TlsContext tls = TlsContext.load(TlsConfig.of(first.certificateFile(), first.keyFile(), ca.certificateFile())
                .withReloadInterval(Duration.ofMillis(50)));
        ChorusServer server = server(tls);
        int port = server.port();
        TlsContext clientTls = TlsContext.load(TlsConfig.trusting(ca.certificateFile()));
        ClientConnection before = connect(port, clientTls, Role.CLIENT, "app");
        assertThat(serverSerial(before)).isEqualTo(first.serial());

        Issued renewed = ca.issueTo(first.certificateFile(), first.keyFile(), "n1");
        assertThat(renewed.serial()).isNotEqualTo(first.serial());
        // The server's own reload check (every 50 ms, on the dispatch executor) picks it up.
        await().atMost(Duration.ofSeconds(10)).until(() -> tls.generation() == 2);
        ClientConnection after = connect(port, clientTls, Role.CLIENT, "app");
        assertThat(serverSerial(after)).isEqualTo(renewed.serial());
        assertThat(call(after, Opcodes.GET, "new")).isEqualTo("app:new");
        // The connection made before keeps its certificate and still works; the server was never restarted.
        assertThat(serverSerial(before)).isEqualTo(first.serial());
        assertThat(call(before, Opcodes.GET, "old")).isEqualTo("app:old");
        assertThat(server.port()).isEqualTo(port);
    }

    @Test
    void aMalformedNewFileKeepsTheCertificateInUse() throws Exception {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued first = ca.issue("n1");
        TlsContext tls = TlsContext.load(TlsConfig.of(first.certificateFile(), first.keyFile(), ca.certificateFile())
                .withReloadInterval(Duration.ZERO));
        int port = server(tls).port();
        TestCertificates.writeAtomically(first.certificateFile(), "-----BEGIN CERTIFICATE-----\nbm9wZQ==\n"
                + "-----END CERTIFICATE-----\n");
        assertThat(tls.reloadIfChanged()).isFalse();
        assertThat(tls.generation()).isEqualTo(1);
        TlsContext clientTls = TlsContext.load(TlsConfig.trusting(ca.certificateFile()));
        assertThat(serverSerial(connect(port, clientTls, Role.CLIENT, "app"))).isEqualTo(first.serial());
    }
}
