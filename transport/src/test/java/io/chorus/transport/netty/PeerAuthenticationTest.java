package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.transport.protocol.Role;
import io.chorus.transport.testing.TestCertificates;
import io.chorus.transport.testing.TestCertificates.Authority;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerAuthenticationTest {

    private static final Predicate<String> NO_USERS = name -> false;

    @TempDir
    Path dir;

    @Test
    void onlyANodeHelloOverTlsIsCheckedAndItMustBeNamedByItsCertificate() {
        Authority ca = TestCertificates.authority(dir, "ca");
        X509Certificate n2 = ca.issue("n2").certificate();
        assertThat(PeerAuthentication.refusal(false, Role.NODE, "n2", null, NO_USERS)).as("plaintext").isEmpty();
        assertThat(PeerAuthentication.refusal(true, Role.CLIENT, "app", null, NO_USERS)).isEmpty();
        assertThat(PeerAuthentication.refusal(true, Role.NODE, "n2", n2, NO_USERS)).isEmpty();
        assertThat(PeerAuthentication.refusal(true, Role.NODE, "n3", n2, NO_USERS)).get().asString().contains("not node n3");
        assertThat(PeerAuthentication.refusal(true, Role.NODE, "n2", null, NO_USERS)).get().asString()
                .contains("presented none");
    }

    @Test
    void aTlsServerMustBeTheNodeItSaysAndTheOneExpected() {
        Authority ca = TestCertificates.authority(dir, "ca");
        X509Certificate n1 = ca.issue("n1").certificate();
        io.chorus.core.NodeId id1 = io.chorus.core.NodeId.of("n1");
        assertThat(ClientConnection.serverRefusal(id1, n1, null)).isNull();
        assertThat(ClientConnection.serverRefusal(id1, n1, id1)).isNull();
        assertThat(ClientConnection.serverRefusal(id1, n1, io.chorus.core.NodeId.of("n2"))).contains("expected");
        assertThat(ClientConnection.serverRefusal(io.chorus.core.NodeId.of("n5"), n1, null)).contains("[n1]");
        assertThat(ClientConnection.serverRefusal(id1, null, null)).contains("no certificate");
    }
}
