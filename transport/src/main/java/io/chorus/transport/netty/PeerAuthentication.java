package io.chorus.transport.netty;

import io.chorus.transport.protocol.Role;
import io.chorus.transport.tls.TlsIdentity;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Decides whether a HELLO's claimed identity is proven by the connection's TLS certificate: pure, apart from the
 * channel it is about. Without TLS nothing is checked (the plaintext protocol trusts the HELLO). With TLS, a
 * {@linkplain Role#NODE node} HELLO needs a verified certificate (the handshake checked it chains to the cluster's
 * CA) one of whose names ({@link TlsIdentity#names}) is exactly the node id it claims; a node that presents none,
 * or another node's, is refused with UNAUTHENTICATED. Client HELLOs pass: client authentication is a later step.
 * Stateless.
 */
final class PeerAuthentication {

    private PeerAuthentication() {
    }

    /**
     * Why a HELLO of {@code role} claiming {@code name} must be refused, or empty to accept it.
     *
     * @param tls         whether the connection is TLS
     * @param certificate the peer's verified certificate, or null when it presented none
     */
    static Optional<String> refusal(boolean tls, Role role, String name, X509Certificate certificate) {
        if (!tls || role != Role.NODE) {
            return Optional.empty();
        }
        if (certificate == null) {
            return Optional.of("a node must present a certificate from the cluster's CA naming it; "
                    + name + " presented none");
        }
        if (!TlsIdentity.names(certificate, name)) {
            return Optional.of("the certificate names " + TlsIdentity.names(certificate) + ", not node " + name);
        }
        return Optional.empty();
    }
}
