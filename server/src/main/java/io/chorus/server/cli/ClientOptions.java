package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.client.RequestOptions;
import io.chorus.server.HostPort;
import io.chorus.transport.tls.TlsConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a data command connects and with which quorum: the options every data command shares (a mixin). */
public final class ClientOptions {

    @Option(names = "--host", defaultValue = "127.0.0.1:7100", paramLabel = "HOST:PORT",
            description = "Any node of the cluster (default: ${DEFAULT-VALUE}, the local cluster's first node).")
    String host;

    @Option(names = "--n", defaultValue = "0", description = "Replicas (0: the cluster's default).")
    int n;

    @Option(names = "--r", defaultValue = "0", description = "Replies a read waits for (0: the default).")
    int r;

    @Option(names = "--w", defaultValue = "0", description = "Acknowledgements a write waits for (0: the default).")
    int w;

    @Option(names = "--timeout", defaultValue = "0", paramLabel = "MILLIS",
            description = "Request timeout in milliseconds (0: the cluster's default).")
    long timeoutMillis;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    @Option(names = "--ca", paramLabel = "FILE", defaultValue = "${env:CHORUS_CA}",
            description = "Speak TLS, trusting the cluster's CA certificate in FILE (default: $CHORUS_CA).")
    Path ca;

    @Option(names = "--cert", paramLabel = "FILE", defaultValue = "${env:CHORUS_CERT}",
            description = "With --ca: this client's certificate chain, for nodes that require one ($CHORUS_CERT).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "${env:CHORUS_KEY}",
            description = "With --cert: its private key, PKCS#8 PEM ($CHORUS_KEY).")
    Path key;

    @Option(names = "--user", paramLabel = "NAME", defaultValue = "${env:CHORUS_USER}",
            description = "Authenticate as this user ($CHORUS_USER); the password comes from --password-file,"
                    + " else $CHORUS_PASSWORD, else it is asked for on the terminal.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", defaultValue = "${env:CHORUS_PASSWORD_FILE}",
            description = "With --user: a file whose first line is the password ($CHORUS_PASSWORD_FILE).")
    Path passwordFile;

    ChorusClient connect() {
        HostPort seed = HostPort.parse(host);
        ClientConfig.Builder config = ClientConfig.builder(List.of(seed.toSocketAddress())).clientName("chorus-cli")
                .tls(tls());
        if (user != null && !user.isBlank()) {
            config.credentials(user, Passwords.read(user, passwordFile));
        } else if (passwordFile != null) {
            throw new IllegalArgumentException("--password-file needs --user (or $CHORUS_USER)");
        }
        return ChorusClient.connect(config.build());
    }

    /** TLS as the options ask, or null for plaintext. */
    TlsConfig tls() {
        if (ca == null) {
            if (cert != null || key != null) {
                throw new IllegalArgumentException("--cert and --key need --ca (the CA to trust the nodes by)");
            }
            return null;
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key go together");
        }
        TlsConfig t = TlsConfig.trusting(ca);
        return cert == null ? t : t.withCertificate(cert, key);
    }

    RequestOptions request() {
        RequestOptions o = RequestOptions.defaults();
        if (n > 0) {
            o = o.withN(n);
        }
        if (r > 0) {
            o = o.withR(r);
        }
        if (w > 0) {
            o = o.withW(w);
        }
        if (timeoutMillis > 0) {
            o = o.withTimeoutMillis(timeoutMillis);
        }
        return o;
    }
}
