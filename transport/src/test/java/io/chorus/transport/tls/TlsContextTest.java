package io.chorus.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.chorus.testkit.Withers;
import io.chorus.testkit.Withers.Case;
import io.chorus.transport.testing.TestCertificates;
import io.chorus.transport.testing.TestCertificates.Authority;
import io.chorus.transport.testing.TestCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Loading and reloading the PEM files, certificate names, and the config's rules; no sockets. */
class TlsContextTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(TlsContext.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        log.detachAppender(logged);
    }

    private List<ILoggingEvent> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    @Test
    void reloadTakesChangedFilesAndKeepsTheOldContextWhenTheyDoNotLoad() {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued first = ca.issue("n1");
        TlsContext tls = TlsContext.load(TlsConfig.of(first.certificateFile(), first.keyFile(), ca.certificateFile()));
        assertThat(tls.certificate().getSerialNumber()).isEqualTo(first.serial());
        assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();

        // A renewal caught between its two writes: the new certificate, still the old key.
        Path newKeyLater = dir.resolve("later-key.pem");
        Issued renewed = ca.issueTo(first.certificateFile(), newKeyLater, "n1");
        assertThat(tls.reloadIfChanged()).isFalse();
        assertThat(tls.certificate().getSerialNumber()).isEqualTo(first.serial());
        assertThat(tls.reloadIfChanged()).as("the same broken files are not tried again").isFalse();
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0).getFormattedMessage()).contains("does not belong to the certificate",
                first.serial().toString(16));

        // The key arrives: the pair loads.
        TestCertificates.writeAtomically(first.keyFile(), read(newKeyLater));
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(tls.certificate().getSerialNumber()).isEqualTo(renewed.serial());
        assertThat(tls.generation()).isEqualTo(2);

        // Garbage in the certificate file: one WARN, the renewed one stays.
        TestCertificates.writeAtomically(first.certificateFile(), "not a certificate\n");
        assertThat(tls.reloadIfChanged()).isFalse();
        assertThat(tls.certificate().getSerialNumber()).isEqualTo(renewed.serial());
        assertThat(warnings()).hasSize(2);
    }

    @Test
    void loadNamesTheFileThatIsWrong() {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued cert = ca.issue("n1");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> TlsContext.load(TlsConfig.of(cert.certificateFile(), missing, ca.certificateFile())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
        Path pkcs1 = dir.resolve("pkcs1.pem");
        TestCertificates.writeAtomically(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsContext.load(TlsConfig.of(cert.certificateFile(), pkcs1, ca.certificateFile())))
                .hasMessageContaining("pkcs1.pem").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> TlsContext.load(TlsConfig.trusting(cert.keyFile())))
                .hasMessageContaining(cert.keyFile().getFileName().toString());
        assertThatThrownBy(() -> TlsContext.load(TlsConfig.trusting(ca.certificateFile())).serverContext())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void autoTakesOpenSslWhereItLoads() {
        assertThat(TlsContext.provider(TlsConfig.Provider.AUTO)).isEqualTo(
                io.netty.handler.ssl.OpenSsl.isAvailable() ? io.netty.handler.ssl.SslProvider.OPENSSL
                        : io.netty.handler.ssl.SslProvider.JDK);
        assertThat(TlsContext.provider(TlsConfig.Provider.JDK)).isEqualTo(io.netty.handler.ssl.SslProvider.JDK);
    }

    @Test
    void namesAreTheCommonNameAndTheSanDnsNames() {
        Authority ca = TestCertificates.authority(dir, "ca");
        Issued cert = ca.issue("host-7", "n7", "n7.example");
        assertThat(TlsIdentity.names(cert.certificate())).containsExactly("host-7", "n7", "n7.example");
        assertThat(TlsIdentity.names(cert.certificate(), "n7")).isTrue();
        assertThat(TlsIdentity.names(cert.certificate(), "N7")).as("exact, as node ids are").isFalse();
        assertThat(TlsIdentity.names(ca.certificate())).containsExactly("ca");
    }

    @Test
    void configRules() {
        Path a = dir.resolve("a.pem");
        assertThat(TlsConfig.of(a, a, a).protocols()).containsExactly("TLSv1.3");
        assertThat(TlsConfig.of(a, a, a).clientAuth()).isEqualTo(TlsConfig.ClientAuth.OPTIONAL);
        assertThatThrownBy(() -> new TlsConfig(a, null, a, TlsConfig.ClientAuth.NONE, TlsConfig.Provider.AUTO,
                TlsConfig.DEFAULT_PROTOCOLS, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsConfig.of(a, a, a).withProtocols("TLSv1.1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsConfig.of(a, a, a).withProtocols())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsConfig.of(a, a, a).withReloadInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TlsConfig.of(a, a, a).withCertificate(null, null).hasCertificate()).isFalse();
    }

    @Test
    void eachWitherChangesOnlyItsComponents() {
        Path a = dir.resolve("a.pem");
        Path b = dir.resolve("b.pem");
        Withers.check(TlsConfig.of(a, a, a),
                new Case<>("withCertificate", c -> c.withCertificate(b, b), Map.of("certificateChain", b,
                        "privateKey", b)),
                Case.of("withTrustedCa", c -> c.withTrustedCa(b), "trustedCa", b),
                Case.of("withClientAuth", c -> c.withClientAuth(TlsConfig.ClientAuth.REQUIRE), "clientAuth",
                        TlsConfig.ClientAuth.REQUIRE),
                Case.of("withProvider", c -> c.withProvider(TlsConfig.Provider.JDK), "provider",
                        TlsConfig.Provider.JDK),
                Case.of("withProtocols", c -> c.withProtocols("TLSv1.3", "TLSv1.2"), "protocols",
                        List.of("TLSv1.3", "TLSv1.2")),
                Case.of("withReloadInterval", c -> c.withReloadInterval(Duration.ofSeconds(5)), "reloadInterval",
                        Duration.ofSeconds(5)));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
