package io.chorus.server.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development certificate authority and the certificates of a cluster's nodes and clients, as {@code chorus certs}
 * writes them: enough for a TLS cluster on a laptop or a test bed, not a production PKI (no revocation, the CA key
 * unencrypted on disk).
 *
 * <p>Every key is EC P-256 signed with SHA256withECDSA: small certificates and the fastest handshakes a TLS 1.3
 * stack offers, and supported by every JDK and OpenSSL. A CA certificate may sign end-entity certificates only
 * (path length 0). A node certificate has CN = the node name and a SAN DNS name equal to it (the transport's node
 * identity) plus the host names and IP addresses it is reached at, and the EKUs serverAuth and clientAuth (a node
 * both accepts and opens peer connections). A client certificate has CN = the user name and clientAuth only. Every
 * certificate is valid from an hour before {@code now} (clocks of hosts differ a little) to {@code now} plus its
 * days, but never beyond its CA's end.
 *
 * <p>Files are PEM: certificates as {@code CERTIFICATE} blocks (a chain leaf first), private keys as unencrypted
 * PKCS#8 {@code PRIVATE KEY} blocks, written atomically (a temporary file moved over the target) and, where the file
 * system has POSIX permissions, with mode 0600. Only the JDK's security providers are used (BouncyCastle builds and
 * encodes; no provider is registered).
 *
 * <p>Stateless: every method is a pure function of its arguments, except key generation and serials (a
 * {@link SecureRandom}) and the file methods; all are safe to call from any thread.
 */
public final class DevCertificates {

    /** The signature algorithm of every certificate. */
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    /** How far {@code notBefore} lies before the time a certificate is made. */
    public static final Duration BACKDATE = Duration.ofHours(1);
    /** The validity of a certificate when none is asked for (the longest a TLS client such as Safari accepts). */
    public static final int DEFAULT_DAYS = 825;
    /** The longest validity accepted (a development CA that outlives its cluster by decades helps nobody). */
    public static final int MAX_DAYS = 3650;

    /** Letters, digits and hyphens, not starting or ending with a hyphen; an optional leading wildcard label. */
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final SecureRandom RANDOM = new SecureRandom();

    private DevCertificates() {
    }

    /** A certificate with its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        public Issued {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * A new self-signed CA: subject {@code CN=Chorus development CA (CLUSTER),O=Chorus}, basic constraints CA with
     * path length 0, key usage keyCertSign and cRLSign.
     *
     * @throws IllegalArgumentException for an empty cluster name or days outside 1..{@value #MAX_DAYS}
     */
    public static Issued createCa(String cluster, int days, Instant now) {
        if (cluster == null || cluster.isBlank()) {
            throw new IllegalArgumentException("the cluster name must not be empty");
        }
        checkDays(days);
        KeyPair keys = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Chorus").addRDN(BCStyle.CN, "Chorus development CA (" + cluster + ")").build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(now),
                    Date.from(now.plus(Duration.ofDays(days))), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new Issued(sign(b, keys.getPrivate()), keys.getPrivate());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a CA certificate", e);
        }
    }

    /**
     * A node certificate signed by {@code ca}: CN = {@code node}, SAN DNS {@code node} then each of {@code hosts}
     * (duplicates dropped), SAN IP each of {@code ips}, EKU serverAuth and clientAuth.
     *
     * @param ips IP address literals ({@code 127.0.0.1}, {@code ::1}); never resolved
     * @throws IllegalArgumentException when the node name or a host is no DNS name, an address no IP literal, or the
     *     days are out of range
     */
    public static Issued issueNode(Issued ca, String node, List<String> hosts, List<String> ips, int days,
            Instant now) {
        String problem = dnsNameProblem(node);
        if (problem != null) {
            throw new IllegalArgumentException("node name '" + node + "' " + problem
                    + " (it is the certificate's DNS name, the node's TLS identity)");
        }
        // A name asked for twice is written once (DNS names compare without case; the first spelling is kept).
        Map<String, GeneralName> names = new LinkedHashMap<>();
        for (String host : concat(List.of(node), hosts)) {
            String why = dnsNameProblem(host);
            if (why != null) {
                throw new IllegalArgumentException("host '" + host + "' " + why);
            }
            names.putIfAbsent("dns:" + host.toLowerCase(Locale.ROOT), new GeneralName(GeneralName.dNSName, host));
        }
        for (String ip : ips) {
            InetAddress address = ipLiteral(ip);
            names.putIfAbsent("ip:" + address.getHostAddress(),
                    new GeneralName(GeneralName.iPAddress, new DEROctetString(address.getAddress())));
        }
        return issue(ca, node, List.copyOf(names.values()), new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth,
            KeyPurposeId.id_kp_clientAuth}, days, now);
    }

    /**
     * A client certificate signed by {@code ca}: CN = {@code user}, EKU clientAuth, no SAN.
     *
     * @throws IllegalArgumentException for an empty user name, one with control characters, or days out of range
     */
    public static Issued issueClient(Issued ca, String user, int days, Instant now) {
        if (user == null || user.isBlank() || user.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("client name '" + user + "' must be non-empty, without control"
                    + " characters");
        }
        return issue(ca, user, List.of(), new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}, days, now);
    }

    private static Issued issue(Issued ca, String cn, List<GeneralName> sans, KeyPurposeId[] purposes, int days,
            Instant now) {
        checkDays(days);
        KeyPair keys = newKeyPair();
        X509Certificate caCert = ca.certificate();
        Date notAfter = Date.from(now.plus(Duration.ofDays(days)));
        if (notAfter.after(caCert.getNotAfter())) {
            notAfter = caCert.getNotAfter();
        }
        if (!notAfter.after(notBefore(now))) {
            throw new IllegalArgumentException("the CA expired on " + caCert.getNotAfter().toInstant()
                    + ": make a new one (chorus certs init --force)");
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), notBefore(now), notAfter,
                    subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(caCert.getPublicKey()));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            return new Issued(sign(b, ca.key()), keys.getPrivate());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a certificate for " + cn, e);
        }
    }

    /** Why {@code name} is no DNS name a certificate can carry, or null when it is one. */
    public static String dnsNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.length() > 253) {
            return "is longer than 253 characters";
        }
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            if (i == 0 && labels[i].equals("*") && labels.length > 2) {
                continue;
            }
            if (!DNS_LABEL.matcher(labels[i]).matches()) {
                return "is no DNS name (letters, digits and '-', in labels separated by '.')";
            }
        }
        return null;
    }

    /** The address of an IP literal; a host name is refused, never resolved. */
    public static InetAddress ipLiteral(String text) {
        Matcher v4 = IPV4.matcher(text);
        boolean literal = v4.matches() ? validOctets(v4) : IPV6.matcher(text).matches();
        if (literal) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                // fall through: not a literal after all
            }
        }
        throw new IllegalArgumentException("'" + text + "' is no IP address (an IPv4 or IPv6 literal; host names go"
                + " in --host)");
    }

    private static boolean validOctets(Matcher v4) {
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(v4.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    private static void checkDays(int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("days must be 1.." + MAX_DAYS + ", not " + days);
        }
    }

    private static Date notBefore(Instant now) {
        return Date.from(now.minus(BACKDATE));
    }

    /** 127 random bits, positive: unique enough and under RFC 5280's 20 octets. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(120);
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + SIGNATURE_ALGORITHM, e);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ---- PEM ----

    /** The certificates as PEM {@code CERTIFICATE} blocks, in order. */
    public static String pem(List<X509Certificate> chain) {
        StringWriter out = new StringWriter();
        try {
            for (X509Certificate c : chain) {
                block(out, "CERTIFICATE", c.getEncoded());
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
        return out.toString();
    }

    /** The key as an unencrypted PKCS#8 PEM {@code PRIVATE KEY} block. */
    public static String pem(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("the key's encoding is " + key.getFormat() + ", not PKCS#8");
        }
        StringWriter out = new StringWriter();
        block(out, "PRIVATE KEY", key.getEncoded());
        return out.toString();
    }

    private static void block(StringWriter out, String type, byte[] der) {
        out.append("-----BEGIN ").append(type).append("-----\n");
        out.append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)).append('\n');
        out.append("-----END ").append(type).append("-----\n");
    }

    /** Writes the chain (leaf first) to {@code file} as PEM, atomically, readable by all (0644). */
    public static void writeCertificates(Path file, List<X509Certificate> chain) throws IOException {
        write(file, pem(chain), "rw-r--r--");
    }

    /** Writes the key to {@code file} as PKCS#8 PEM, atomically, mode 0600 where POSIX permissions exist. */
    public static void writeKey(Path file, PrivateKey key) throws IOException {
        write(file, pem(key), "rw-------");
    }

    /** Writes through a temporary file in the same directory, created 0600, so no half file or open key is seen. */
    private static void write(Path file, String text, String mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            if (posix(dir)) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean posix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** The certificates of a PEM file, in its order. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException(file + " holds no PEM certificate");
        }
        return chain;
    }

    /** The PKCS#8 private key of a PEM file, of the algorithm {@code algorithm} ("EC", "RSA"). */
    public static PrivateKey readKey(Path file, String algorithm) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("PRIVATE KEY")) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            }
        }
        throw new GeneralSecurityException(file + " holds no PEM PKCS#8 private key (BEGIN PRIVATE KEY)");
    }

    /**
     * The CA of {@code crt} and {@code key}, checked to belong together (a test signature verified with the
     * certificate's key) and to be a CA.
     */
    public static Issued readCa(Path crt, Path key) throws IOException, GeneralSecurityException {
        X509Certificate cert = readCertificates(crt).get(0);
        if (cert.getBasicConstraints() < 0) {
            throw new GeneralSecurityException(crt + " is no CA certificate");
        }
        PublicKey pub = cert.getPublicKey();
        PrivateKey priv = readKey(key, pub.getAlgorithm());
        if (!matches(pub, priv)) {
            throw new GeneralSecurityException(key + " is not the key of " + crt);
        }
        return new Issued(cert, priv);
    }

    private static boolean matches(PublicKey pub, PrivateKey priv) throws GeneralSecurityException {
        String alg = pub.getAlgorithm().equals("EC") ? SIGNATURE_ALGORITHM : "SHA256with" + pub.getAlgorithm();
        byte[] probe = "chorus".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature s = java.security.Signature.getInstance(alg);
        s.initSign(priv);
        s.update(probe);
        byte[] sig = s.sign();
        s.initVerify(pub);
        s.update(probe);
        return s.verify(sig);
    }
}
