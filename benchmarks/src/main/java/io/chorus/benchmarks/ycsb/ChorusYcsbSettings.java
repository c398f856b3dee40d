package io.chorus.benchmarks.ycsb;

import io.chorus.client.ClientConfig;
import io.chorus.client.RequestOptions;
import io.chorus.transport.tls.TlsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The binding's settings, read from YCSB's properties ({@code -p name=value} or a workload file); the property
 * names are listed in {@link ChorusYcsbClient}. Split in two: {@link Connection}, what the shared client is made
 * of (and keyed by), and the per-request part. Immutable.
 *
 * @param connection    how to reach the cluster
 * @param options       N, R, W and timeout of every request; 0 is the server's default
 * @param update        how updates write
 * @param siblings      which record a read returns when there are siblings
 */
public record ChorusYcsbSettings(Connection connection, RequestOptions options, UpdateMode update,
                                 SiblingPolicy siblings) {

    public static final String HOSTS = "chorus.hosts";
    public static final String N = "chorus.n";
    public static final String R = "chorus.r";
    public static final String W = "chorus.w";
    public static final String TIMEOUT_MS = "chorus.timeout_ms";
    public static final String UPDATE = "chorus.update";
    public static final String SIBLINGS = "chorus.siblings";
    public static final String CONNECTIONS = "chorus.connections";
    public static final String IO_THREADS = "chorus.io_threads";
    public static final String TLS_CA = "chorus.tls.ca";
    public static final String TLS_CERT = "chorus.tls.cert";
    public static final String TLS_KEY = "chorus.tls.key";
    public static final String USER = "chorus.user";
    public static final String PASSWORD_FILE = "chorus.password_file";

    /** The local cluster of {@code chorus cluster}. */
    public static final String DEFAULT_HOSTS = "127.0.0.1:7100";

    /**
     * What the shared client is built from; two YCSB threads with equal connections share one client.
     *
     * @param hosts             seeds, any nodes of the cluster
     * @param connectionsPerNode multiplexed connections to each node (the client's default when 0)
     * @param ioThreads         the client's event loop threads (the client's default when 0)
     * @param tls               TLS to the nodes, or null for plaintext
     * @param user              the user to sign in as, or null for none
     * @param password          that user's password (read from the password file), or null
     */
    public record Connection(List<InetSocketAddress> hosts, int connectionsPerNode, int ioThreads, TlsConfig tls,
                             String user, String password) {

        public Connection {
            hosts = List.copyOf(hosts);
            if ((user == null) != (password == null)) {
                throw new IllegalArgumentException(USER + " and " + PASSWORD_FILE + " go together");
            }
        }

        /** The client configuration these settings make. */
        public ClientConfig clientConfig() {
            ClientConfig.Builder b = ClientConfig.builder(hosts).clientName("chorus-ycsb").tls(tls);
            if (connectionsPerNode > 0) {
                b.connectionsPerNode(connectionsPerNode);
            }
            if (ioThreads > 0) {
                b.ioThreads(ioThreads);
            }
            if (user != null) {
                b.credentials(user, password);
            }
            return b.build();
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "Connection[hosts=" + hosts + ", connectionsPerNode=" + connectionsPerNode + ", ioThreads="
                    + ioThreads + ", tls=" + (tls == null ? "off" : tls.trustedCa()) + ", user=" + user + "]";
        }
    }

    /** The settings {@code p} holds; a value that is not valid fails with IllegalArgumentException naming it. */
    public static ChorusYcsbSettings from(Properties p) {
        List<InetSocketAddress> hosts = parseHosts(p.getProperty(HOSTS, DEFAULT_HOSTS));
        TlsConfig tls = null;
        String ca = p.getProperty(TLS_CA);
        String cert = p.getProperty(TLS_CERT);
        String key = p.getProperty(TLS_KEY);
        if (ca != null) {
            tls = cert == null && key == null ? TlsConfig.trusting(Path.of(ca))
                    : TlsConfig.of(pathOrNull(cert), pathOrNull(key), Path.of(ca));
        } else if (cert != null || key != null) {
            throw new IllegalArgumentException(TLS_CERT + " and " + TLS_KEY + " need " + TLS_CA);
        }
        String user = p.getProperty(USER);
        String passwordFile = p.getProperty(PASSWORD_FILE);
        String password = passwordFile == null ? null : readPassword(Path.of(passwordFile));
        Connection connection = new Connection(hosts, count(p, CONNECTIONS), count(p, IO_THREADS), tls, user,
                password);
        RequestOptions options = new RequestOptions(count(p, N), count(p, R), count(p, W), count(p, TIMEOUT_MS));
        return new ChorusYcsbSettings(connection, options, UpdateMode.parse(p.getProperty(UPDATE, "rmw")),
                SiblingPolicy.parse(p.getProperty(SIBLINGS, "first")));
    }

    /** {@code host:port,host:port}; an IPv6 address goes in brackets ({@code [::1]:7100}). */
    static List<InetSocketAddress> parseHosts(String value) {
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (String part : value.split(",")) {
            String h = part.trim();
            if (h.isEmpty()) {
                continue;
            }
            int colon = h.lastIndexOf(':');
            if (colon <= 0 || colon == h.length() - 1) {
                throw new IllegalArgumentException(HOSTS + ": '" + h + "' is not host:port");
            }
            String host = h.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(HOSTS + ": '" + h + "' has no numeric port");
            }
            if (port < 1 || port > 0xFFFF) {
                throw new IllegalArgumentException(HOSTS + ": port outside 1..65535 in '" + h + "'");
            }
            hosts.add(new InetSocketAddress(host, port));
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException(HOSTS + " names no host");
        }
        return hosts;
    }

    private static int count(Properties p, String name) {
        String v = p.getProperty(name);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: '" + v + "'");
        }
    }

    private static Path pathOrNull(String s) {
        return s == null ? null : Path.of(s);
    }

    /** The file's first line: a password on the command line would show in {@code ps}. */
    private static String readPassword(Path file) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            int eol = content.indexOf('\n');
            String line = eol < 0 ? content : content.substring(0, eol);
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        } catch (IOException e) {
            throw new UncheckedIOException(PASSWORD_FILE + ": cannot read " + file, e);
        }
    }
}
