package io.chorus.transport.tls;

import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Tells a TLS refusal (a certificate the other side does not trust, an expired one, none where one is required:
 * an alert, or our own certificate check failing) from a connection that merely broke during the handshake (closed,
 * reset, timed out), which Netty reports as SSL exceptions too. The first is UNAUTHENTICATED for the client, since
 * retrying elsewhere with the same certificate will not help; the second stays UNAVAILABLE. Stateless.
 */
public final class TlsFailures {

    private TlsFailures() {
    }

    /** Whether {@code failure} (or a cause of it) is the other side, or our check, refusing a certificate. */
    public static boolean isRefusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException) {
                return true;
            }
            if (t instanceof SSLException && t.getMessage() != null) {
                String m = t.getMessage().toLowerCase(Locale.ROOT);
                // JDK ("Received fatal alert: certificate_expired", "PKIX path building failed") and BoringSSL
                // ("TLSV1_ALERT_UNKNOWN_CA", "CERTIFICATE_VERIFY_FAILED") words; not a protocol version alert.
                if (m.contains("certificate") || m.contains("unknown_ca") || m.contains("pkix")
                        || m.contains("access_denied")) {
                    return true;
                }
            }
        }
        return false;
    }
}
