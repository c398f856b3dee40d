package io.chorus.server.cli;

import io.chorus.server.NodeConfig;
import io.chorus.server.security.DevCertificates;
import io.chorus.server.security.DevCertificates.Issued;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code chorus certs init|node|client|show}: a development CA and the certificates of a cluster's nodes and clients
 * ({@link DevCertificates}), as PEM files in one directory: {@code ca.crt} and {@code ca.key}, {@code NAME.crt} and
 * {@code NAME.key} per node, {@code client-NAME.crt} and {@code client-NAME.key} per client. Exit 0 done, 1 a file
 * could not be read or written (or is no certificate), 2 a usage error: a bad name, day count or address, no CA in
 * the directory, or a CA that exists already ({@code init} without {@code --force}). Errors are one line.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = {"A development CA and certificates for a TLS cluster (EC P-256, PEM files in one directory).",
            "Not a production PKI: the CA key is unencrypted and nothing can be revoked."},
        subcommands = {CertsCommand.Init.class, CertsCommand.Node.class, CertsCommand.Client.class,
            CertsCommand.Show.class})
public final class CertsCommand implements Callable<Integer> {

    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    /** What a client's name may be to become a file name. */
    private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9_@+-][A-Za-z0-9._@+-]{0,127}");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return EXIT_USAGE;
    }

    /** A usage error found by a subcommand: one line, exit 2. */
    static final class Usage extends RuntimeException {
        Usage(String message) {
            super(message);
        }
    }

    /** One line per error, the exit codes of {@link CertsCommand}; the system clock read once, here. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        abstract void run(PrintWriter out, Instant now) throws IOException, GeneralSecurityException;

        @Override
        public final Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                run(out, Instant.now());
                return 0;
            } catch (Usage | IllegalArgumentException e) {
                err.println("chorus: " + e.getMessage());
                return EXIT_USAGE;
            } catch (IOException e) {
                err.println("chorus: " + describe(e));
                return EXIT_FAILED;
            } catch (GeneralSecurityException e) {
                err.println("chorus: " + e.getMessage());
                return EXIT_FAILED;
            } finally {
                out.flush();
                err.flush();
            }
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Makes a development CA: DIR/ca.crt (the CA certificate, the trusted CA bundle of every"
                + " node and client) and DIR/ca.key (its PKCS#8 private key, mode 0600).",
                "Refuses to replace an existing CA (every certificate it signed would stop being trusted) unless"
                    + " --force."})
    static final class Init extends Base {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where the files go (created).")
        Path dir;
        @Option(names = "--cluster", defaultValue = NodeConfig.DEFAULT_CLUSTER_NAME, paramLabel = "NAME",
                description = "The cluster named in the CA's subject (default: ${DEFAULT-VALUE}).")
        String cluster;
        @Option(names = "--days", defaultValue = "" + DevCertificates.DEFAULT_DAYS, paramLabel = "N",
                description = "Validity in days (default: ${DEFAULT-VALUE}, at most " + DevCertificates.MAX_DAYS
                    + ").")
        int days;
        @Option(names = "--force", description = "Replace an existing CA.")
        boolean force;

        @Override
        void run(PrintWriter out, Instant now) throws IOException {
            Path crt = dir.resolve("ca.crt");
            Path key = dir.resolve("ca.key");
            for (Path p : List.of(crt, key)) {
                if (!force && Files.exists(p)) {
                    throw new Usage(p + " exists: a new CA would orphan every certificate the old one signed (--force"
                            + " replaces it)");
                }
            }
            Issued ca = DevCertificates.createCa(cluster, days, now);
            DevCertificates.writeKey(key, ca.key());
            out.println("wrote " + key + " (the CA's private key, " + keyMode(key) + ": keep it off the nodes)");
            DevCertificates.writeCertificates(crt, List.of(ca.certificate()));
            out.println("wrote " + crt + " (" + subject(ca.certificate()) + ", valid until "
                    + instant(ca.certificate().getNotAfter().toInstant()) + ": the trusted CA of every node and client)");
            out.println("next: chorus certs node NODE_NAME --dir " + dir
                    + "    (each node; --host and --ip for every name and address it is reached at)");
            out.println("      chorus certs client USER --dir " + dir);
        }
    }

    @Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A node's certificate, signed by the CA in DIR: CN and SAN DNS = NAME, the other SANs from"
                + " --host and --ip, extended key usage serverAuth and clientAuth.",
                "Writes DIR/NAME.crt (the node's certificate, then the CA's) and DIR/NAME.key (mode 0600); an"
                    + " existing pair is replaced (a renewal).",
                "Without --host and --ip, the SANs are NAME, localhost and 127.0.0.1 (a cluster on one machine)."})
    static final class Node extends Base {
        @Parameters(index = "0", paramLabel = "NAME", description = "The node's name (its node_name).")
        String name;
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The CA's directory.")
        Path dir;
        @Option(names = "--host", paramLabel = "H", description = "A DNS name the node is reached at (repeatable).")
        List<String> hosts = new ArrayList<>();
        @Option(names = "--ip", paramLabel = "A", description = "An IP address the node is reached at (repeatable).")
        List<String> ips = new ArrayList<>();
        @Option(names = "--days", defaultValue = "" + DevCertificates.DEFAULT_DAYS, paramLabel = "N",
                description = "Validity in days (default: ${DEFAULT-VALUE}; never beyond the CA's end).")
        int days;

        @Override
        void run(PrintWriter out, Instant now) throws IOException, GeneralSecurityException {
            if (name.equalsIgnoreCase("ca")) {
                throw new Usage("a node cannot be named 'ca': its files would replace the CA's");
            }
            List<String> h = hosts;
            List<String> a = ips;
            if (h.isEmpty() && a.isEmpty()) {
                h = List.of("localhost");
                a = List.of("127.0.0.1");
            }
            Issued ca = ca(dir);
            Issued node = DevCertificates.issueNode(ca, name, h, a, days, now);
            write(out, dir, name, ca, node, "node certificate", now, days);
        }
    }

    @Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"A client's certificate, signed by the CA in DIR: CN = NAME (the user name), extended key"
                + " usage clientAuth.",
                "Writes DIR/client-NAME.crt (the client's certificate, then the CA's) and DIR/client-NAME.key (mode"
                    + " 0600); an existing pair is replaced."})
    static final class Client extends Base {
        @Parameters(index = "0", paramLabel = "NAME", description = "The user name (letters, digits, . _ @ + -).")
        String name;
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The CA's directory.")
        Path dir;
        @Option(names = "--days", defaultValue = "" + DevCertificates.DEFAULT_DAYS, paramLabel = "N",
                description = "Validity in days (default: ${DEFAULT-VALUE}; never beyond the CA's end).")
        int days;

        @Override
        void run(PrintWriter out, Instant now) throws IOException, GeneralSecurityException {
            if (!CLIENT_NAME.matcher(name).matches()) {
                throw new Usage("client name '" + name + "' must be 1-128 letters, digits and . _ @ + -, not"
                        + " starting with '.' (it names the files)");
            }
            Issued ca = ca(dir);
            Issued client = DevCertificates.issueClient(ca, name, days, now);
            write(out, dir, "client-" + name, ca, client, "client certificate", now, days);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Prints every certificate of a PEM file: subject, SANs, issuer, serial, validity, key,"
                + " usages, SHA-256 fingerprint, and whether each is signed by the next one of the chain."})
    static final class Show extends Base {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        void run(PrintWriter out, Instant now) throws IOException, GeneralSecurityException {
            List<X509Certificate> chain = DevCertificates.readCertificates(file);
            for (int i = 0; i < chain.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                out.println(file + ": certificate " + (i + 1) + " of " + chain.size());
                describe(out, chain, i, now);
            }
        }
    }

    private static Issued ca(Path dir) throws IOException, GeneralSecurityException {
        Path crt = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        if (!Files.exists(crt) || !Files.exists(key)) {
            throw new Usage("no CA in " + dir + " (ca.crt and ca.key): run 'chorus certs init --dir " + dir
                    + "' first");
        }
        return DevCertificates.readCa(crt, key);
    }

    private static void write(PrintWriter out, Path dir, String base, Issued ca, Issued issued, String what,
            Instant now, int days) throws IOException {
        Path crt = dir.resolve(base + ".crt");
        Path key = dir.resolve(base + ".key");
        X509Certificate cert = issued.certificate();
        DevCertificates.writeKey(key, issued.key());
        out.println("wrote " + key + " (its private key, " + keyMode(key) + ")");
        DevCertificates.writeCertificates(crt, List.of(cert, ca.certificate()));
        Instant until = cert.getNotAfter().toInstant();
        boolean clamped = until.isBefore(now.plus(Duration.ofDays(days)));
        out.println("wrote " + crt + " (" + what + " then the CA's; " + subject(cert) + sans(cert) + ", "
                + String.join(" + ", usages(cert)) + ", valid until " + instant(until)
                + (clamped ? " (the CA's end)" : "") + ")");
    }

    private static String keyMode(Path key) throws IOException {
        if (!key.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return "no POSIX permissions here: protect it yourself";
        }
        int mode = 0;
        for (PosixFilePermission p : Files.getPosixFilePermissions(key)) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("mode %04o", mode);
    }

    /** The lines of {@code show} for certificate {@code i} of {@code chain}. */
    static void describe(PrintWriter out, List<X509Certificate> chain, int i, Instant now)
            throws GeneralSecurityException {
        X509Certificate c = chain.get(i);
        out.println("  subject:   " + subject(c));
        List<String> sans = sanList(c);
        out.println("  SANs:      " + (sans.isEmpty() ? "none" : String.join(", ", sans)));
        out.println("  issuer:    " + c.getIssuerX500Principal().getName());
        out.println("  serial:    " + c.getSerialNumber().toString(16));
        Instant from = c.getNotBefore().toInstant();
        Instant to = c.getNotAfter().toInstant();
        String state;
        if (now.isBefore(from)) {
            state = "not valid yet";
        } else if (now.isAfter(to)) {
            state = "EXPIRED";
        } else {
            state = Duration.between(now, to).toDays() + " days left";
        }
        out.println("  validity:  " + from.truncatedTo(ChronoUnit.SECONDS) + " to " + to.truncatedTo(ChronoUnit.SECONDS)
                + " (" + Duration.between(from, to).toDays() + " days; " + state + ")");
        out.println("  key:       " + keyDescription(c) + ", signed with " + c.getSigAlgName());
        List<String> usage = new ArrayList<>(keyUsages(c));
        usage.addAll(usages(c));
        if (c.getBasicConstraints() >= 0) {
            usage.add("CA" + (c.getBasicConstraints() == Integer.MAX_VALUE ? ""
                    : " (path length " + c.getBasicConstraints() + ")"));
        }
        out.println("  usage:     " + (usage.isEmpty() ? "any" : String.join(", ", usage)));
        out.println("  sha256:    " + HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded())));
        if (i + 1 < chain.size()) {
            out.println("  signed by: certificate " + (i + 2) + ": " + (signedBy(c, chain.get(i + 1)) ? "yes"
                    : "NO, the chain is broken"));
        } else if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            out.println("  signed by: itself: " + (signedBy(c, c) ? "yes" : "NO"));
        }
    }

    private static boolean signedBy(X509Certificate c, X509Certificate issuer) {
        try {
            c.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private static String sans(X509Certificate c) {
        List<String> sans = sanList(c);
        return sans.isEmpty() ? "" : ", " + String.join(", ", sans);
    }

    private static List<String> sanList(X509Certificate c) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> all = c.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> san : all) {
                    int type = (Integer) san.get(0);
                    String kind = switch (type) {
                        case 1 -> "email";
                        case 2 -> "DNS";
                        case 6 -> "URI";
                        case 7 -> "IP";
                        default -> "type " + type;
                    };
                    names.add(kind + ":" + san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            names.add("(unreadable: " + e.getMessage() + ")");
        }
        return names;
    }

    private static List<String> usages(X509Certificate c) {
        List<String> names = new ArrayList<>();
        try {
            List<String> eku = c.getExtendedKeyUsage();
            if (eku != null) {
                for (String oid : eku) {
                    names.add(switch (oid) {
                        case "1.3.6.1.5.5.7.3.1" -> "serverAuth";
                        case "1.3.6.1.5.5.7.3.2" -> "clientAuth";
                        default -> oid;
                    });
                }
            }
        } catch (CertificateParsingException e) {
            names.add("(unreadable extended key usage)");
        }
        return names;
    }

    private static List<String> keyUsages(X509Certificate c) {
        String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
            "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
        List<String> used = new ArrayList<>();
        boolean[] bits = c.getKeyUsage();
        if (bits != null) {
            for (int i = 0; i < bits.length && i < names.length; i++) {
                if (bits[i]) {
                    used.add(names[i]);
                }
            }
        }
        return used;
    }

    private static String keyDescription(X509Certificate c) {
        if (c.getPublicKey() instanceof ECPublicKey ec) {
            return "EC " + ec.getParams().getCurve().getField().getFieldSize() + "-bit";
        }
        if (c.getPublicKey() instanceof RSAPublicKey rsa) {
            return "RSA " + rsa.getModulus().bitLength() + "-bit";
        }
        return c.getPublicKey().getAlgorithm();
    }

    private static String instant(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return "no such file or directory: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
