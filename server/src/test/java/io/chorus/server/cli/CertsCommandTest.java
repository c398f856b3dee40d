package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chorus.server.MainAccess;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SignatureException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code chorus certs} through picocli; the files it writes are read back with the JDK alone (CertificateFactory,
 * KeyFactory) and used by the JDK's own TLS stack, so they do not depend on BouncyCastle to be understood.
 */
class CertsCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run chorus(String... args) {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private Run ok(String... args) {
        Run r = chorus(args);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        return r;
    }

    private static List<X509Certificate> certificates(Path file) throws Exception {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        List<X509Certificate> all = new ArrayList<>();
        try (var in = Files.newInputStream(file)) {
            for (Certificate c : f.generateCertificates(in)) {
                all.add((X509Certificate) c);
            }
        }
        return all;
    }

    private static PrivateKey key(Path file) throws Exception {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(body)));
    }

    private static List<String> sans(X509Certificate c) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> san : c.getSubjectAlternativeNames()) {
            names.add((san.get(0).equals(2) ? "DNS:" : san.get(0).equals(7) ? "IP:" : "?:") + san.get(1));
        }
        return names;
    }

    private void assumePosix() {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
    }

    private static void assertValidFor(X509Certificate c, int days, Instant before, Instant after) {
        // Backdated an hour for clock skew between hosts; ends DAYS after it was made.
        assertThat(c.getNotBefore().toInstant()).isBetween(before.minus(Duration.ofHours(1)).minusSeconds(1),
                after.minus(Duration.ofHours(1)));
        assertThat(c.getNotAfter().toInstant()).isBetween(before.plus(Duration.ofDays(days)).minusSeconds(1),
                after.plus(Duration.ofDays(days)));
    }

    @Test
    void initNodeAndClientWriteACaAndCertificatesTheJdkReadsBack() throws Exception {
        Instant before = Instant.now();
        Run init = ok("certs", "init", "--dir", dir.toString(), "--cluster", "demo", "--days", "30");
        Run node = ok("certs", "node", "db1", "--dir", dir.toString(), "--host", "db1.example.com",
                "--host", "DB1", "--ip", "10.0.0.5", "--ip", "::1", "--days", "10");
        Run local = ok("certs", "node", "node-2", "--dir", dir.toString());
        Run client = ok("certs", "client", "alice", "--dir", dir.toString(), "--days", "7");
        Instant after = Instant.now();

        // A line per file written, and init's hint of what comes next.
        assertThat(init.out()).contains("wrote " + dir.resolve("ca.key"), "wrote " + dir.resolve("ca.crt"),
                "next: chorus certs node NODE_NAME --dir " + dir, "chorus certs client USER --dir " + dir);
        assertThat(node.out().lines().filter(l -> l.startsWith("wrote "))).hasSize(2);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(node.out()).contains("wrote " + dir.resolve("db1.key") + " (its private key, mode 0600)");
        }
        assertThat(node.out()).contains("wrote " + dir.resolve("db1.crt"), "wrote " + dir.resolve("db1.key"));
        assertThat(client.out()).contains("wrote " + dir.resolve("client-alice.crt"),
                "wrote " + dir.resolve("client-alice.key"));

        List<X509Certificate> caFile = certificates(dir.resolve("ca.crt"));
        assertThat(caFile).hasSize(1);
        X509Certificate ca = caFile.get(0);
        ca.verify(ca.getPublicKey());
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=Chorus development CA (demo),O=Chorus");
        assertThat(ca.getBasicConstraints()).isZero();
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertValidFor(ca, 30, before, after);
        assertThat(key(dir.resolve("ca.key")).getAlgorithm()).isEqualTo("EC");

        // The node's file is its chain: the node's certificate, then the CA's.
        List<X509Certificate> chain = certificates(dir.resolve("db1.crt"));
        assertThat(chain).hasSize(2);
        X509Certificate db1 = chain.get(0);
        assertThat(chain.get(1)).isEqualTo(ca);
        db1.verify(ca.getPublicKey());
        assertThatThrownBy(() -> db1.verify(db1.getPublicKey())).isInstanceOf(SignatureException.class);
        assertThat(db1.getSubjectX500Principal().getName()).isEqualTo("CN=db1");
        assertThat(db1.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        // DB1 is db1 without case: written once. No localhost defaults when addresses were given.
        assertThat(sans(db1)).containsExactly("DNS:db1", "DNS:db1.example.com", "IP:10.0.0.5",
                "IP:0:0:0:0:0:0:0:1");
        assertThat(db1.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(db1.getBasicConstraints()).isEqualTo(-1);
        assertValidFor(db1, 10, before, after);
        assertThat(db1.getSerialNumber()).isNotEqualTo(ca.getSerialNumber()).isPositive();
        // The authority key identifier is the CA's key id alone (no issuer name and serial): DER
        // OCTET STRING { SEQUENCE { [0] 20 bytes } }, those 20 bytes the CA's subject key identifier.
        byte[] aki = db1.getExtensionValue("2.5.29.35");
        byte[] ski = ca.getExtensionValue("2.5.29.14");
        assertThat(aki).hasSize(26);
        assertThat(java.util.Arrays.copyOfRange(aki, 6, 26)).isEqualTo(java.util.Arrays.copyOfRange(ski, 4, 24));

        X509Certificate node2 = certificates(dir.resolve("node-2.crt")).get(0);
        assertThat(sans(node2)).containsExactly("DNS:node-2", "DNS:localhost", "IP:127.0.0.1");
        // 825 days by default, but never beyond the CA's end.
        assertThat(node2.getNotAfter()).isEqualTo(ca.getNotAfter());

        List<X509Certificate> aliceChain = certificates(dir.resolve("client-alice.crt"));
        X509Certificate alice = aliceChain.get(0);
        assertThat(aliceChain.get(1)).isEqualTo(ca);
        alice.verify(ca.getPublicKey());
        assertThat(alice.getSubjectX500Principal().getName()).isEqualTo("CN=alice");
        assertThat(alice.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(alice.getSubjectAlternativeNames()).isNull();
        assertValidFor(alice, 7, before, after);

        // Each key is the private half of its certificate.
        assertThat(signs(key(dir.resolve("db1.key")), db1)).isTrue();
        assertThat(signs(key(dir.resolve("client-alice.key")), alice)).isTrue();
        assertThat(signs(key(dir.resolve("client-alice.key")), db1)).isFalse();
    }

    private static boolean signs(PrivateKey key, X509Certificate cert) throws Exception {
        java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA");
        s.initSign(key);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(cert.getPublicKey());
        s.update(new byte[] {1, 2, 3});
        return s.verify(sig);
    }

    @Test
    void keysAreOwnerOnlyAndCertificatesWorldReadable() throws Exception {
        assumePosix();
        ok("certs", "init", "--dir", dir.toString());
        ok("certs", "node", "n1", "--dir", dir.toString());
        ok("certs", "client", "bob", "--dir", dir.toString());
        for (String key : List.of("ca.key", "n1.key", "client-bob.key")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key)))).as(key)
                    .isEqualTo("rw-------");
        }
        for (String crt : List.of("ca.crt", "n1.crt", "client-bob.crt")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(crt)))).as(crt)
                    .isEqualTo("rw-r--r--");
        }
        // No temporary file left behind.
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.crt", "ca.key",
                    "n1.crt", "n1.key", "client-bob.crt", "client-bob.key");
        }
    }

    @Test
    void initRefusesToReplaceACaUnlessForced() throws Exception {
        ok("certs", "init", "--dir", dir.toString());
        byte[] first = Files.readAllBytes(dir.resolve("ca.crt"));
        Run again = chorus("certs", "init", "--dir", dir.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).startsWith("chorus: " + dir.resolve("ca.crt") + " exists").contains("--force")
                .hasLineCount(1);
        assertThat(again.out()).isEmpty();
        assertThat(Files.readAllBytes(dir.resolve("ca.crt"))).isEqualTo(first);

        // Only the key left: still refused (a half CA is no reason to make a new one silently).
        Files.delete(dir.resolve("ca.crt"));
        assertThat(chorus("certs", "init", "--dir", dir.toString()).code()).isEqualTo(2);

        Run forced = ok("certs", "init", "--dir", dir.toString(), "--force");
        assertThat(forced.out()).contains("wrote " + dir.resolve("ca.crt"));
        assertThat(Files.readAllBytes(dir.resolve("ca.crt"))).isNotEqualTo(first);
    }

    @Test
    void usageErrorsAreOneLineAndExit2() throws Exception {
        Run noCa = chorus("certs", "node", "n1", "--dir", dir.toString());
        assertThat(noCa.code()).isEqualTo(2);
        assertThat(noCa.err()).isEqualTo("chorus: no CA in " + dir + " (ca.crt and ca.key): run 'chorus certs init"
                + " --dir " + dir + "' first" + System.lineSeparator());

        ok("certs", "init", "--dir", dir.toString(), "--days", "100");
        for (String[] args : List.of(
                new String[] {"certs", "node", "under_score", "--dir", dir.toString()},
                new String[] {"certs", "node", "n1", "--dir", dir.toString(), "--host", "-bad.example"},
                new String[] {"certs", "node", "n1", "--dir", dir.toString(), "--ip", "localhost"},
                new String[] {"certs", "node", "n1", "--dir", dir.toString(), "--ip", "300.1.1.1"},
                new String[] {"certs", "node", "ca", "--dir", dir.toString()},
                new String[] {"certs", "node", "n1", "--dir", dir.toString(), "--days", "0"},
                new String[] {"certs", "client", "../evil", "--dir", dir.toString()},
                new String[] {"certs", "init", "--dir", dir.resolve("other").toString(), "--days", "99999"},
                new String[] {"certs", "node", "--dir", dir.toString()},
                new String[] {"certs", "frobnicate"})) {
            Run r = chorus(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("chorus: ").hasLineCount(1);
        }
        assertThat(dir.resolve("ca.crt")).exists();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.crt", "ca.key");
        }
        // 'certs' alone prints its usage, listing the subcommands.
        Run bare = chorus("certs");
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.out()).contains("init", "node", "client", "show");
    }

    @Test
    void aCertificateNeverOutlivesItsCa() throws Exception {
        ok("certs", "init", "--dir", dir.toString(), "--days", "3");
        Run node = ok("certs", "node", "n1", "--dir", dir.toString(), "--days", "825");
        X509Certificate ca = certificates(dir.resolve("ca.crt")).get(0);
        assertThat(certificates(dir.resolve("n1.crt")).get(0).getNotAfter()).isEqualTo(ca.getNotAfter());
        assertThat(node.out()).contains("the CA's end");
    }

    @Test
    void aMismatchedOrBrokenFileExits1() throws Exception {
        ok("certs", "init", "--dir", dir.toString());
        Path other = dir.resolve("other");
        ok("certs", "init", "--dir", other.toString());
        Files.copy(other.resolve("ca.key"), dir.resolve("ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run mismatched = chorus("certs", "node", "n1", "--dir", dir.toString());
        assertThat(mismatched.code()).isEqualTo(1);
        assertThat(mismatched.err()).isEqualTo("chorus: " + dir.resolve("ca.key") + " is not the key of "
                + dir.resolve("ca.crt") + System.lineSeparator());

        Files.writeString(dir.resolve("junk.crt"), "hello\n");
        Run junk = chorus("certs", "show", dir.resolve("junk.crt").toString());
        assertThat(junk.code()).isEqualTo(1);
        assertThat(junk.err()).contains("holds no PEM certificate").hasLineCount(1);
        Run missing = chorus("certs", "show", dir.resolve("nope.crt").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("chorus: no such file or directory: " + dir.resolve("nope.crt")
                + System.lineSeparator());
    }

    @Test
    void showPrintsSubjectSansIssuerSerialAndValidity() throws Exception {
        ok("certs", "init", "--dir", dir.toString(), "--cluster", "demo");
        ok("certs", "node", "n1", "--dir", dir.toString(), "--host", "n1.lan", "--ip", "192.168.1.7", "--days", "90");
        X509Certificate n1 = certificates(dir.resolve("n1.crt")).get(0);
        Run show = ok("certs", "show", dir.resolve("n1.crt").toString());
        assertThat(show.out()).contains(
                dir.resolve("n1.crt") + ": certificate 1 of 2",
                "  subject:   CN=n1",
                "  SANs:      DNS:n1, DNS:n1.lan, IP:192.168.1.7",
                "  issuer:    CN=Chorus development CA (demo),O=Chorus",
                "  serial:    " + n1.getSerialNumber().toString(16),
                "  usage:     digitalSignature, serverAuth, clientAuth",
                "  signed by: certificate 2: yes",
                ": certificate 2 of 2",
                "  SANs:      none",
                "  signed by: itself: yes");
        assertThat(show.out()).containsPattern("  validity:  \\S+Z to \\S+Z \\(90 days; (89|90) days left\\)");
        assertThat(show.out()).containsPattern("  usage:     keyCertSign, cRLSign, CA \\(path length 0\\)");
    }

    /** The JDK's TLS stack (TLS 1.3) accepts the files: the server requires a client certificate from the CA. */
    @Test
    void aJdkTlsHandshakeWithClientAuthWorksWithTheFiles() throws Exception {
        ok("certs", "init", "--dir", dir.toString());
        ok("certs", "node", "node-1", "--dir", dir.toString());
        ok("certs", "client", "alice", "--dir", dir.toString());
        SSLContext server = context(dir.resolve("node-1.crt"), dir.resolve("node-1.key"));
        SSLContext client = context(dir.resolve("client-alice.crt"), dir.resolve("client-alice.key"));

        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.setNeedClientAuth(true);
            listener.setEnabledProtocols(new String[] {"TLSv1.3"});
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    String who = ((X509Certificate) s.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeUTF("hello " + who + " from " + s.getSession().getProtocol());
                    out.flush();
                    return who;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost",
                    listener.getLocalPort())) {
                s.setSoTimeout(10_000);
                // Check the server's name against its certificate, as a client by host name does.
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                String greeting = new DataInputStream(s.getInputStream()).readUTF();
                assertThat(greeting).isEqualTo("hello CN=alice from TLSv1.3");
                assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                        .getName()).isEqualTo("CN=node-1");
            }
            assertThat(peer.get(10, TimeUnit.SECONDS)).isEqualTo("CN=alice");
        }
    }

    /** A client with a certificate of another CA is turned away: the trust is the CA's, not any certificate's. */
    @Test
    void aClientOfAnotherCaIsRefused() throws Exception {
        ok("certs", "init", "--dir", dir.toString());
        ok("certs", "node", "node-1", "--dir", dir.toString());
        Path other = dir.resolve("other");
        ok("certs", "init", "--dir", other.toString());
        ok("certs", "client", "mallory", "--dir", other.toString());
        SSLContext server = context(dir.resolve("node-1.crt"), dir.resolve("node-1.key"));
        // Mallory trusts this cluster's CA (she can check the server) but holds a certificate of her own CA.
        SSLContext client = context(other.resolve("client-mallory.crt"), other.resolve("client-mallory.key"),
                dir.resolve("ca.crt"));
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.setNeedClientAuth(true);
            CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    return "accepted";
                } catch (SSLHandshakeException e) {
                    return "refused";
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost",
                    listener.getLocalPort())) {
                s.setSoTimeout(10_000);
                // TLS 1.3: the client's handshake ends before the server checks its certificate; the refusal
                // arrives with the first read.
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(java.io.IOException.class);
            }
            assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo("refused");
        }
    }

    private SSLContext context(Path chain, Path key) throws Exception {
        return context(chain, key, dir.resolve("ca.crt"));
    }

    /** A plain JDK context: the key with its chain, trusting only the CA bundle; no BouncyCastle involved. */
    private static SSLContext context(Path chain, Path key, Path trusted) throws Exception {
        char[] password = "unused".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("me", key(key), password, certificates(chain).toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate ca : certificates(trusted)) {
            trust.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    @Test
    void validityIsAsAskedWhenTheClockIsAParameter() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        var ca = io.chorus.server.security.DevCertificates.createCa("c", 100, now);
        var node = io.chorus.server.security.DevCertificates.issueNode(ca, "n", List.of(), List.of("127.0.0.1"), 10,
                now);
        assertThat(node.certificate().getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofHours(1)));
        assertThat(node.certificate().getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(10)));
        assertThatCode(() -> node.certificate().verify(ca.certificate().getPublicKey())).doesNotThrowAnyException();
        // Past the CA's end nothing can be issued.
        assertThatThrownBy(() -> io.chorus.server.security.DevCertificates.issueClient(ca, "u", 1,
                now.plus(Duration.ofDays(101)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the CA expired");
    }
}
