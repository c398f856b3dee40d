package io.chorus.transport.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time, written as the PEM files a node's TLS configuration names: a CA
 * ({@link #authority}) that issues leaf certificates ({@link Authority#issue}) with an unencrypted PKCS#8 key, EC
 * P-256, valid from an hour ago for a day. Leaves carry their name as CN (and any DNS names as SANs) and are good for
 * both TLS server and client use, as a node's certificate is. Keys are made by the JDK, certificates built with
 * BouncyCastle (no provider registered: nothing global changes). In transport's test-jar; a module that uses it
 * needs {@code bcpkix-jdk18on} in its test scope.
 *
 * <p>Files are replaced by a move, and a replaced file's modification time is set past the old one's, so a reload
 * check sees every replacement however coarse the file system's clock. Thread-safety: an authority issues from one
 * thread at a time.
 */
public final class TestCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {
    }

    /** A new CA named {@code name}, its certificate written to {@code dir/<name>.pem}. */
    public static Authority authority(Path dir, String name) {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, keys.getPrivate());
            Path file = dir.resolve(name + ".pem");
            writeAtomically(file, pem("CERTIFICATE", certificate.getEncoded()));
            return new Authority(dir, subject, keys, certificate, file);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate and its key, and the files they are in. */
    public record Issued(X509Certificate certificate, PrivateKey key, Path certificateFile, Path keyFile) {

        public BigInteger serial() {
            return certificate.getSerialNumber();
        }
    }

    /** A CA: its certificate file is what {@code trustedCa} names. */
    public static final class Authority {
        private final Path dir;
        private final X500Name subject;
        private final KeyPair keys;
        private final X509Certificate certificate;
        private final Path certificateFile;

        private Authority(Path dir, X500Name subject, KeyPair keys, X509Certificate certificate,
                          Path certificateFile) {
            this.dir = dir;
            this.subject = subject;
            this.keys = keys;
            this.certificate = certificate;
            this.certificateFile = certificateFile;
        }

        public Path certificateFile() {
            return certificateFile;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /**
         * A certificate for {@code commonName} (and SAN DNS names {@code dnsNames}), written to
         * {@code dir/<commonName>.pem} and {@code dir/<commonName>-key.pem}, replacing what is there.
         */
        public Issued issue(String commonName, String... dnsNames) {
            return issueTo(dir.resolve(commonName + ".pem"), dir.resolve(commonName + "-key.pem"), commonName,
                    dnsNames);
        }

        /** As {@link #issue}, into the given files (a renewal in place: a new key, a new serial). */
        public Issued issueTo(Path certificateFile, Path keyFile, String commonName, String... dnsNames) {
            Instant now = Instant.now();
            return issueTo(certificateFile, keyFile, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
                    commonName, dnsNames);
        }

        /** A certificate for {@code commonName} that expired an hour ago (valid the day before). */
        public Issued issueExpired(String commonName) {
            Instant now = Instant.now();
            return issueTo(dir.resolve(commonName + "-expired.pem"), dir.resolve(commonName + "-expired-key.pem"),
                    now.minus(Duration.ofDays(1)), now.minus(Duration.ofHours(1)), commonName);
        }

        /** A client's certificate: extended key usage clientAuth only, as {@code chorus certs client} makes. */
        public Issued issueClient(String commonName) {
            Instant now = Instant.now();
            return issueTo(dir.resolve("client-" + commonName + ".pem"), dir.resolve("client-" + commonName
                    + "-key.pem"), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
                    new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}, commonName, new String[0]);
        }

        /** A certificate without an extended key usage extension: good for any purpose. */
        public Issued issueWithoutKeyUsage(String commonName) {
            Instant now = Instant.now();
            return issueTo(dir.resolve("any-" + commonName + ".pem"), dir.resolve("any-" + commonName
                    + "-key.pem"), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), null, commonName,
                    new String[0]);
        }

        private Issued issueTo(Path certificateFile, Path keyFile, Instant notBefore, Instant notAfter,
                               String commonName, String... dnsNames) {
            return issueTo(certificateFile, keyFile, notBefore, notAfter,
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}, commonName,
                    dnsNames);
        }

        private Issued issueTo(Path certificateFile, Path keyFile, Instant notBefore, Instant notAfter,
                               KeyPurposeId[] purposes, String commonName, String[] dnsNames) {
            KeyPair leaf = keyPair();
            try {
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                        Date.from(notBefore), Date.from(notAfter),
                        new X500Name("CN=" + commonName), leaf.getPublic());
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                if (purposes != null) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
                }
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(certificate));
                if (dnsNames.length > 0) {
                    GeneralName[] names = new GeneralName[dnsNames.length];
                    for (int i = 0; i < dnsNames.length; i++) {
                        names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                    }
                    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                }
                X509Certificate issued = sign(builder, keys.getPrivate());
                writeAtomically(certificateFile, pem("CERTIFICATE", issued.getEncoded()));
                writeAtomically(keyFile, pem("PRIVATE KEY", leaf.getPrivate().getEncoded()));
                return new Issued(issued, leaf.getPrivate(), certificateFile, keyFile);
            } catch (GeneralSecurityException | CertIOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Replaces {@code file} with {@code text} at once, its modification time past the old file's. */
    public static void writeAtomically(Path file, String text) {
        try {
            FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
            Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            FileTime now = Files.getLastModifiedTime(temp);
            if (before != null && now.compareTo(before) <= 0) {
                Files.setLastModifiedTime(temp, FileTime.fromMillis(before.toMillis() + 1000));
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }
}
