package io.chorus.transport.netty;

import io.chorus.transport.protocol.Role;
import io.chorus.transport.tls.TlsIdentity;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides whether a HELLO's claimed identity is proven by the connection's TLS certificate: pure, apart from the
 * channel it is about. Without TLS nothing is checked (the plaintext protocol trusts the HELLO). With TLS, a
 * {@linkplain Role#NODE node} HELLO needs a verified certificate (the handshake checked it chains to the cluster's
 * CA) that
 * <ul>
 *   <li>names exactly the node id it claims (one of {@link TlsIdentity#names}), so no node can pose as another;</li>
 *   <li>may serve TLS (extended key usage serverAuth, or none at all): a node accepts connections, a client never
 *       does, so a client certificate ({@code chorus certs client}: clientAuth only) cannot pass for a node;</li>
 *   <li>and does not name a user of this node: a client certificate without key usages, from the same CA, must
 *       not let its holder skip its roles by saying HELLO as a node.</li>
 * </ul>
 * Otherwise UNAUTHENTICATED. Client HELLOs pass here: clients are authenticated by the {@code Authenticator}.
 * Stateless.
 */
final class PeerAuthentication {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private PeerAuthentication() {
    }

    /**
     * Why a HELLO of {@code role} claiming {@code name} must be refused, or empty to accept it.
     *
     * @param tls         whether the connection is TLS
     * @param certificate the peer's verified certificate, or null when it presented none
     * @param isUser      whether a name is one of this node's users (cheap: called on the loop)
     */
    static Optional<String> refusal(boolean tls, Role role, String name, X509Certificate certificate,
                                    Predicate<String> isUser) {
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
        if (!mayServe(certificate)) {
            return Optional.of("the certificate of " + name + " is a client's (its extended key usage has no"
                    + " serverAuth): a node's must allow serverAuth");
        }
        if (isUser.test(name)) {
            return Optional.of(name + " is a user of this node, not a node: a client certificate cannot say HELLO"
                    + " as a node");
        }
        return Optional.empty();
    }

    private static boolean mayServe(X509Certificate certificate) {
        try {
            List<String> usages = certificate.getExtendedKeyUsage();
            return usages == null || usages.contains(SERVER_AUTH) || usages.contains(ANY_USAGE);
        } catch (CertificateParsingException e) {
            return false;
        }
    }
}
