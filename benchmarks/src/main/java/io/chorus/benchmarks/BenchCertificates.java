package io.chorus.benchmarks;

import io.chorus.server.security.DevCertificates;
import io.chorus.transport.tls.TlsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** A development CA and node certificates for a TLS run of a benchmark, made with {@code chorus certs}' code. */
final class BenchCertificates {

    private final Path dir;
    private final DevCertificates.Issued ca;

    private BenchCertificates(Path dir, DevCertificates.Issued ca) {
        this.dir = dir;
        this.ca = ca;
    }

    static BenchCertificates create(Path dir) throws IOException {
        DevCertificates.Issued ca = DevCertificates.createCa("bench", 30, Instant.now());
        DevCertificates.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()));
        return new BenchCertificates(dir, ca);
    }

    Path ca() {
        return dir.resolve("ca.crt");
    }

    /** The TLS settings of node {@code name}, its certificate issued now. */
    TlsConfig node(String name) {
        try {
            DevCertificates.Issued cert = DevCertificates.issueNode(ca, name, List.of("localhost"),
                    List.of("127.0.0.1"), 30, Instant.now());
            Path crt = dir.resolve(name + ".crt");
            Path key = dir.resolve(name + ".key");
            DevCertificates.writeCertificates(crt, List.of(cert.certificate(), ca.certificate()));
            DevCertificates.writeKey(key, cert.key());
            return TlsConfig.of(crt, key, ca());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
