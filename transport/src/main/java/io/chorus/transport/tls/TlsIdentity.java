package io.chorus.transport.tls;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The names a certificate gives its holder, as Chorus matches them against node ids: every common name (CN) of its
 * subject and every DNS name of its subject alternative names. A node's certificate must carry its node id as one
 * of them, compared exactly (case-sensitive, as node ids are). Host names and IP addresses are not checked: nodes
 * are addressed by IP, and an address can move from one node to another, while the node id cannot. Stateless.
 */
public final class TlsIdentity {

    /** The {@code dNSName} type of a subject alternative name (RFC 5280, GeneralName). */
    private static final int SAN_DNS = 2;

    private TlsIdentity() {
    }

    /** The CNs of the subject, then the SAN DNS names, without repeats; possibly empty. */
    public static Set<String> names(X509Certificate certificate) {
        Set<String> names = new LinkedHashSet<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
                    names.add(cn);
                }
            }
        } catch (InvalidNameException e) {
            // a subject the JDK printed but cannot parse back: no CN to offer
        }
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (alternative.size() == 2 && Integer.valueOf(SAN_DNS).equals(alternative.get(0))
                            && alternative.get(1) instanceof String dns) {
                        names.add(dns);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an extension that does not parse names nobody
        }
        return Collections.unmodifiableSet(names);
    }

    /** Whether {@code certificate} names {@code name} (a CN or a SAN DNS name equal to it). */
    public static boolean names(X509Certificate certificate, String name) {
        return names(certificate).contains(name);
    }

    /**
     * The verified certificate the peer of {@code session} presented (its first, the leaf), or empty when it
     * presented none.
     */
    public static Optional<X509Certificate> peerCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf)
                    : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
