package io.chorus.transport.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where a node's (or a client's) TLS material lives and how it is used; {@link TlsContext#load} turns it into the
 * contexts connections are made with. Immutable; the files are read by {@code load} and its reloads, never here.
 *
 * @param certificateChain PEM file: this side's certificate first, then any intermediates; null (with
 *                         {@code privateKey}) for a client that presents no certificate. A server needs one
 * @param privateKey       PEM file holding the certificate's key, unencrypted PKCS#8
 *                         ({@code -----BEGIN PRIVATE KEY-----}); null exactly when {@code certificateChain} is
 * @param trustedCa        PEM file of the CA certificates a peer's certificate must chain to (the cluster's CA)
 * @param clientAuth       what a server asks of its connecting side (ignored on the client side). With TLS, a node
 *                         HELLO needs a certificate naming that node whatever this says, so {@code NONE} admits
 *                         no node at all; {@code OPTIONAL} (the default) lets clients in without one
 * @param provider         which TLS implementation; {@code AUTO} takes OpenSSL when it loads, the JDK's otherwise
 * @param protocols        the TLS versions offered: {@code TLSv1.3} by default, {@code TLSv1.2} only when listed
 * @param reloadInterval   how often the files are checked for a change (modification time or size) and, when they
 *                         changed, loaded again for new connections; {@link Duration#ZERO} never checks
 */
public record TlsConfig(Path certificateChain, Path privateKey, Path trustedCa, ClientAuth clientAuth,
        Provider provider, List<String> protocols, Duration reloadInterval) {

    /** What a server asks of the connecting side's certificate. */
    public enum ClientAuth {
        /** None is asked for; nothing connects as a node. */
        NONE,
        /** One is asked for and verified when given; clients may connect without one, nodes may not. */
        OPTIONAL,
        /** The handshake fails without a certificate from the trusted CA. */
        REQUIRE
    }

    /** The TLS implementation. */
    public enum Provider {
        /** OpenSSL (netty-tcnative's BoringSSL) when its native library loads, else the JDK's. */
        AUTO,
        /** OpenSSL, or loading fails. */
        OPENSSL,
        /** The JDK's own (SunJSSE). */
        JDK
    }

    public static final String TLS_1_3 = "TLSv1.3";
    public static final String TLS_1_2 = "TLSv1.2";
    public static final List<String> DEFAULT_PROTOCOLS = List.of(TLS_1_3);
    private static final Set<String> KNOWN_PROTOCOLS = Set.of(TLS_1_3, TLS_1_2);
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofMinutes(1);

    public TlsConfig {
        if ((certificateChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException("a certificate chain and its private key go together: "
                    + certificateChain + ", " + privateKey);
        }
        if (trustedCa == null) {
            throw new IllegalArgumentException("the trusted CA file must be given");
        }
        if (clientAuth == null || provider == null) {
            throw new IllegalArgumentException("client auth and provider must be given");
        }
        if (protocols == null || protocols.isEmpty() || !KNOWN_PROTOCOLS.containsAll(protocols)) {
            throw new IllegalArgumentException("protocols must be some of " + KNOWN_PROTOCOLS + ": " + protocols);
        }
        protocols = List.copyOf(protocols);
        if (protocols.size() != Set.copyOf(protocols).size()) {
            throw new IllegalArgumentException("protocols listed twice: " + protocols);
        }
        if (reloadInterval == null || reloadInterval.isNegative()) {
            throw new IllegalArgumentException("reload interval must be zero or positive: " + reloadInterval);
        }
    }

    /**
     * A node's TLS: its certificate chain and key, the cluster's CA; client certificates optional, TLS 1.3 only,
     * the provider chosen automatically, files checked for a change every minute.
     */
    public static TlsConfig of(Path certificateChain, Path privateKey, Path trustedCa) {
        if (certificateChain == null) {
            throw new IllegalArgumentException("the certificate chain must be given");
        }
        return new TlsConfig(certificateChain, privateKey, trustedCa, ClientAuth.OPTIONAL, Provider.AUTO,
                DEFAULT_PROTOCOLS, DEFAULT_RELOAD_INTERVAL);
    }

    /** A client that presents no certificate and trusts servers whose certificate chains to {@code trustedCa}. */
    public static TlsConfig trusting(Path trustedCa) {
        return new TlsConfig(null, null, trustedCa, ClientAuth.OPTIONAL, Provider.AUTO, DEFAULT_PROTOCOLS,
                DEFAULT_RELOAD_INTERVAL);
    }

    /** Whether this side has a certificate to present (a server must). */
    public boolean hasCertificate() {
        return certificateChain != null;
    }

    /** This side's certificate chain and key (both null: none). */
    public TlsConfig withCertificate(Path certificateChain, Path privateKey) {
        return with(b -> {
            b.certificateChain = certificateChain;
            b.privateKey = privateKey;
        });
    }

    public TlsConfig withTrustedCa(Path trustedCa) {
        return with(b -> b.trustedCa = trustedCa);
    }

    public TlsConfig withClientAuth(ClientAuth clientAuth) {
        return with(b -> b.clientAuth = clientAuth);
    }

    public TlsConfig withProvider(Provider provider) {
        return with(b -> b.provider = provider);
    }

    /** The TLS versions to offer, e.g. {@code withProtocols(TLS_1_3, TLS_1_2)} to allow TLS 1.2 as well. */
    public TlsConfig withProtocols(String... protocols) {
        return with(b -> b.protocols = List.of(protocols));
    }

    /** How often the files are checked for a change; {@link Duration#ZERO}: never. */
    public TlsConfig withReloadInterval(Duration reloadInterval) {
        return with(b -> b.reloadInterval = reloadInterval);
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private TlsConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The components, mutable, for {@link #with}. */
    private static final class Builder {
        private Path certificateChain;
        private Path privateKey;
        private Path trustedCa;
        private ClientAuth clientAuth;
        private Provider provider;
        private List<String> protocols;
        private Duration reloadInterval;

        private Builder(TlsConfig c) {
            certificateChain = c.certificateChain;
            privateKey = c.privateKey;
            trustedCa = c.trustedCa;
            clientAuth = c.clientAuth;
            provider = c.provider;
            protocols = c.protocols;
            reloadInterval = c.reloadInterval;
        }

        private TlsConfig build() {
            return new TlsConfig(certificateChain, privateKey, trustedCa, clientAuth, provider, protocols,
                    reloadInterval);
        }
    }
}
