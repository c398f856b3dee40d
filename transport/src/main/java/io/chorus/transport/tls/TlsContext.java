package io.chorus.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty {@link SslContext}s of one {@link TlsConfig}, server side and client side, built from its PEM files and
 * built again when the files change: connections made after a reload use the renewed certificate, connections
 * already open keep the one they were made with, and nothing restarts. One is shared by a node's server and its
 * outbound peer connections ({@code ServerConfig.withTls}, {@code ClientOptions.withTls}).
 *
 * <p>{@link #load} and {@link #reloadIfChanged} read files and so block: call them off the event loops.
 * {@link #scheduleReloads} runs the check on a worker executor every {@link TlsConfig#reloadInterval}. A reload
 * that fails (a file half-written, a key that does not match the certificate, a malformed PEM) keeps the contexts
 * in use and logs one WARN line; the same files are not tried again until they change again.
 *
 * <p>The provider: {@code AUTO} takes OpenSSL (netty-tcnative's BoringSSL) when {@link OpenSsl#isAvailable()}, the
 * JDK's otherwise; {@link #provider()} says which. Hostname verification is off: the client side checks the
 * server's certificate chain against the CA here, and the certificate's name against the expected node id after
 * the handshake (see {@link TlsIdentity}).
 *
 * <p>Thread-safe: the contexts are one immutable snapshot behind a volatile reference, read on event loops for
 * every new connection; reloads are serialized.
 */
public final class TlsContext {

    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);

    private final TlsConfig config;
    private final SslProvider provider;
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile Loaded current;
    /** The stamps of the files last tried, loaded or not: a broken set is tried (and logged) once. */
    private List<FileStamp> lastTried;

    /** One consistent build: the files' stamps before reading them, and what was made of them. */
    private record Loaded(List<FileStamp> stamps, SslContext server, SslContext client, X509Certificate certificate,
                          long generation) {
    }

    /** What tells a changed file from the one loaded: its modification time and size. */
    private record FileStamp(Path file, FileTime modified, long size) {
    }

    private TlsContext(TlsConfig config, SslProvider provider, Loaded loaded) {
        this.config = config;
        this.provider = provider;
        this.current = loaded;
        this.lastTried = loaded.stamps();
    }

    /**
     * Reads the files of {@code config} and builds its contexts (a server one only when it has a certificate).
     * Blocking.
     *
     * @throws IllegalArgumentException when a file is missing or malformed, the key does not match the
     *                                  certificate, or OPENSSL is asked for and does not load; the message says which
     */
    public static TlsContext load(TlsConfig config) {
        SslProvider provider = provider(config.provider());
        return new TlsContext(config, provider, build(config, provider, stamps(config), 1));
    }

    /** The provider {@code choice} stands for on this machine. */
    public static SslProvider provider(TlsConfig.Provider choice) {
        return switch (choice) {
            case JDK -> SslProvider.JDK;
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("TLS provider OPENSSL asked for, but it does not load: "
                            + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    public TlsConfig config() {
        return config;
    }

    /** The TLS implementation in use: {@link SslProvider#OPENSSL} or {@link SslProvider#JDK}. */
    public SslProvider provider() {
        return provider;
    }

    /** Whether there is a server side: the config has a certificate. */
    public boolean hasServerContext() {
        return current.server() != null;
    }

    /** The context new accepted connections use now. Cheap (a volatile read). */
    public SslContext serverContext() {
        SslContext server = current.server();
        if (server == null) {
            throw new IllegalStateException("no certificate configured: a TLS server needs one");
        }
        return server;
    }

    /** The context new outgoing connections use now. Cheap (a volatile read). */
    public SslContext clientContext() {
        return current.client();
    }

    /** This side's certificate in use now (the chain's first), or null when it presents none. */
    public X509Certificate certificate() {
        return current.certificate();
    }

    /** 1 for the first load, one more for every reload that took over. */
    public long generation() {
        return current.generation();
    }

    /**
     * Builds the contexts again if any file's modification time or size changed since the last try, and returns
     * whether new ones took over. A failure keeps the contexts in use and logs one WARN line. Blocking; one check
     * at a time (a call while another runs returns false at once).
     */
    public boolean reloadIfChanged() {
        if (!checking.compareAndSet(false, true)) {
            return false;
        }
        try {
            List<FileStamp> stamps;
            try {
                stamps = stamps(config);
            } catch (IllegalArgumentException e) {
                stamps = null; // a file gone (mid-replacement): try again next time, quietly unless it stays gone
            }
            if (stamps == null || stamps.equals(lastTried)) {
                return false;
            }
            lastTried = stamps;
            Loaded before = current;
            try {
                current = build(config, provider, stamps, before.generation() + 1);
            } catch (IllegalArgumentException e) {
                log.warn("TLS files changed but do not load, keeping the certificate {} (serial {}): {}",
                        subject(before.certificate()), serial(before.certificate()), e.getMessage());
                return false;
            }
            log.info("TLS certificate reloaded: {} (serial {}), was serial {}", subject(current.certificate()),
                    serial(current.certificate()), serial(before.certificate()));
            return true;
        } finally {
            checking.set(false);
        }
    }

    /**
     * Checks for changed files every {@link TlsConfig#reloadInterval}: {@code timer} (an event loop group will do)
     * only hands the check to {@code worker}, which reads the files. {@code cancel} the result to stop; with an
     * interval of zero nothing is scheduled.
     */
    public Future<?> scheduleReloads(ScheduledExecutorService timer, Executor worker) {
        long nanos = config.reloadInterval().toNanos();
        if (nanos == 0) {
            return CompletableFuture.completedFuture(null);
        }
        ScheduledFuture<?> task = timer.scheduleWithFixedDelay(() -> {
            try {
                worker.execute(this::reloadQuietly);
            } catch (RejectedExecutionException e) {
                // the worker is shutting down: so is whoever scheduled this
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
        return task;
    }

    private void reloadQuietly() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            log.warn("TLS reload check failed", e);
        }
    }

    /** One line for logs: provider, protocols, certificate. */
    public String describe() {
        X509Certificate certificate = certificate();
        return provider + " " + config.protocols() + ", client auth " + config.clientAuth() + ", certificate "
                + (certificate == null ? "none" : subject(certificate) + " (serial " + serial(certificate) + ")");
    }

    @Override
    public String toString() {
        return "TlsContext[" + describe() + "]";
    }

    private static Loaded build(TlsConfig config, SslProvider provider, List<FileStamp> stamps, long generation) {
        List<X509Certificate> trusted = PemFiles.certificates(config.trustedCa());
        List<X509Certificate> chain = null;
        PrivateKey key = null;
        if (config.hasCertificate()) {
            chain = PemFiles.certificates(config.certificateChain());
            key = PemFiles.privateKey(config.privateKey());
            PemFiles.checkKeyMatches(key, chain.get(0), config.privateKey(), config.certificateChain());
        }
        String[] protocols = config.protocols().toArray(new String[0]);
        try {
            SslContext server = null;
            if (chain != null) {
                server = SslContextBuilder.forServer(key, chain)
                        .sslProvider(provider)
                        .protocols(protocols)
                        .trustManager(trusted)
                        .clientAuth(switch (config.clientAuth()) {
                            case NONE -> ClientAuth.NONE;
                            case OPTIONAL -> ClientAuth.OPTIONAL;
                            case REQUIRE -> ClientAuth.REQUIRE;
                        })
                        .build();
            }
            SslContextBuilder client = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .protocols(protocols)
                    .trustManager(trusted)
                    // Nodes are addressed by IP and named by id: the name is checked after the handshake.
                    .endpointIdentificationAlgorithm(null);
            if (chain != null) {
                client.keyManager(key, chain);
            }
            return new Loaded(stamps, server, client.build(), chain == null ? null : chain.get(0), generation);
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("cannot build a TLS context from " + files(config) + ": " + e, e);
        }
    }

    private static List<FileStamp> stamps(TlsConfig config) {
        List<FileStamp> stamps = new ArrayList<>();
        for (Path file : files(config)) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                stamps.add(new FileStamp(file, attributes.lastModifiedTime(), attributes.size()));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
            }
        }
        return List.copyOf(stamps);
    }

    private static List<Path> files(TlsConfig config) {
        List<Path> files = new ArrayList<>();
        if (config.hasCertificate()) {
            files.add(config.certificateChain());
            files.add(config.privateKey());
        }
        files.add(config.trustedCa());
        return files;
    }

    private static String subject(X509Certificate certificate) {
        return certificate == null ? "none" : certificate.getSubjectX500Principal().getName();
    }

    private static String serial(X509Certificate certificate) {
        return certificate == null ? "-" : certificate.getSerialNumber().toString(16);
    }
}
