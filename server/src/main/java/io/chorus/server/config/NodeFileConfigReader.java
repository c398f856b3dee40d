package io.chorus.server.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.BudgetConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.coordinator.QuorumOptions;
import io.chorus.coordinator.ReadFanout;
import io.chorus.coordinator.SpeculativeRetry;
import io.chorus.core.NodeId;
import io.chorus.gossip.FailureDetectorConfig;
import io.chorus.ring.Member;
import io.chorus.ring.Partitioner;
import io.chorus.server.HostPort;
import io.chorus.server.NodeConfig;
import io.chorus.server.config.NodeFileConfig.GossipSettings;
import io.chorus.server.config.NodeFileConfig.MembershipSettings;
import io.chorus.server.metrics.MetricsConfig;
import io.chorus.server.ConnectionLimits;
import io.chorus.server.security.AuthConfig;
import io.chorus.transport.protocol.ProtocolLimits;
import io.chorus.transport.tls.TlsConfig;
import io.chorus.storage.Durability;
import io.chorus.storage.StoreLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns a config tree into a {@link NodeFileConfig}, key by key: each value is checked where it is read, so the
 * first problem found is reported with its own key. The defaults are those of the Java config records
 * ({@link CoordinatorConfig#defaults()} and the others), so the file and the code cannot drift apart. Stateless.
 */
final class NodeFileConfigReader {

    /** A longer client timeout cannot be forwarded (the protocol's bound). */
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMillis(QuorumOptions.MAX_TIMEOUT_MILLIS);
    /** Tombstones checked per round travel in one message of at most this many keys (PartitionSync.MAX_KEYS). */
    private static final int MAX_TOMBSTONES_PER_ROUND = 1024;
    private static final Duration CENTURY = Duration.ofDays(36_525);

    private NodeFileConfigReader() {
    }

    static NodeFileConfig read(ObjectNode tree) {
        Section root = Section.root(tree).expect("cluster_name", "node_name", "data_dir", "zone", "client_listen",
                "peer_listen", "client_advertise", "peer_advertise", "seeds", "partitions", "durability",
                "dispatch_threads", "reads_on_event_loop", "storage_shards", "replication", "hints", "budget", "anti_entropy", "gossip", "membership",
                "metrics", "tls", "auth", "limits");
        String clusterName = root.string("cluster_name", NodeConfig.DEFAULT_CLUSTER_NAME, "");
        String problem = NodeConfig.clusterNameProblem(clusterName);
        if (problem != null) {
            throw root.error("cluster_name", problem);
        }
        NodeId nodeName = checked(root, "node_name", () -> NodeId.of(root.string("node_name", null,
                "this node's name, unique in its cluster: set it here or with --node-name")));
        String dataDirText = root.string("data_dir", null,
                "the directory of this node's data: set it here or with --data-dir");
        Path dataDir = checked(root, "data_dir", () -> Path.of(dataDirText));
        if (dataDirText.isBlank()) {
            throw root.error("data_dir", "must not be empty");
        }
        String zone = root.string("zone", Member.NO_ZONE, "");
        checked(root, "zone", () -> new Member(nodeName, zone));

        HostPort clientListen = root.hostPort("client_listen", NodeFileConfig.DEFAULT_LISTEN);
        HostPort peerListen = root.hostPort("peer_listen", clientListen);
        if (!peerListen.equals(clientListen) && peerListen.port() == clientListen.port() && peerListen.port() != 0
                && (peerListen.isWildcard() || clientListen.isWildcard())) {
            throw root.error("peer_listen", peerListen + " and client_listen " + clientListen
                    + " are the same port on a wildcard address: one of them cannot bind");
        }
        HostPort clientAdvertise = advertised(root, "client_advertise", "client_listen", clientListen, null);
        HostPort peerAdvertise = peerListen.equals(clientListen)
                ? advertised(root, "peer_advertise", "client_listen", clientListen, clientAdvertise)
                : advertised(root, "peer_advertise", "peer_listen", peerListen, null);
        List<HostPort> seeds = seeds(root);

        int partitions = root.integer("partitions", NodeFileConfig.DEFAULT_PARTITIONS, Partitioner.MIN_PARTITIONS,
                Partitioner.MAX_PARTITIONS);
        if (Integer.bitCount(partitions) != 1) {
            throw root.error("partitions", partitions + " is not a power of two");
        }
        String durabilityText = root.string("durability", "sync", "");
        Durability durability = switch (durabilityText) {
            case "sync" -> Durability.SYNC;
            case "nosync" -> Durability.NOSYNC;
            default -> throw root.error("durability", "'" + durabilityText + "' is not sync or nosync");
        };
        int dispatchThreads = root.integer("dispatch_threads", NodeFileConfig.DEFAULT_DISPATCH_THREADS, 1, 1024);
        boolean readsOnEventLoop = root.bool("reads_on_event_loop", true);
        int storageShards = root.integer("storage_shards", NodeConfig.DEFAULT_STORAGE_SHARDS, 1,
                StoreLayout.MAX_SHARDS);

        CoordinatorConfig coordinator = coordinator(root);
        AntiEntropyConfig antiEntropy = antiEntropy(root.section("anti_entropy"));
        GossipSettings gossip = gossip(root.section("gossip"));
        MembershipSettings membership = membership(root.section("membership"));
        MetricsConfig metrics = metrics(root.section("metrics"));
        TlsConfig tls = tls(root.section("tls"));
        AuthConfig auth = auth(root.section("auth"));
        ConnectionLimits limits = limits(root.section("limits"));
        return new NodeFileConfig(clusterName, nodeName, dataDir, zone, clientListen, peerListen, clientAdvertise,
                peerAdvertise, seeds, partitions, durability, dispatchThreads, coordinator, antiEntropy, gossip,
                membership, metrics, tls, auth, limits, readsOnEventLoop, storageShards);
    }

    /**
     * The advertised address: as given, else {@code inherited}, else the listener's, which must then not be a
     * wildcard (nobody can connect to 0.0.0.0). Resolving the machine's name instead was rejected: on a host with
     * several interfaces (a container bridge, a VPN) the first one found is often not the one peers can reach,
     * and a wrong guess shows up only as a node nobody can talk to.
     */
    private static HostPort advertised(Section root, String key, String listenKey, HostPort listen,
            HostPort inherited) {
        HostPort given = root.hostPort(key, null);
        if (given == null) {
            if (inherited != null) {
                return inherited;
            }
            if (listen.isWildcard()) {
                throw root.error(key, "required when " + listenKey + " is the wildcard " + listen
                        + ": name the address others reach this node at");
            }
            return listen;
        }
        if (given.isWildcard()) {
            throw root.error(key, given + " is a wildcard address, which nobody can connect to");
        }
        if (given.port() == 0) {
            throw root.error(key, given + " has port 0, which nobody can connect to");
        }
        return given;
    }

    private static List<HostPort> seeds(Section root) {
        List<HostPort> seeds = root.hostPorts("seeds");
        Set<HostPort> seen = new HashSet<>();
        for (int i = 0; i < seeds.size(); i++) {
            HostPort seed = seeds.get(i);
            String key = root.key("seeds") + "[" + i + "]";
            if (seed.isWildcard() || seed.port() == 0) {
                throw new ConfigException(key, seed + " cannot be connected to (a wildcard address or port 0)");
            }
            if (!seen.add(seed)) {
                throw new ConfigException(key, seed + " is listed twice");
            }
        }
        return seeds;
    }

    private static CoordinatorConfig coordinator(Section root) {
        CoordinatorConfig d = CoordinatorConfig.defaults();
        Section rep = root.section("replication").expect("n", "r", "w", "request_timeout", "replica_timeout",
                "read_repair_grace", "forward_slack", "read_fanout", "speculative_retry", "read_repair_chance");
        int n = rep.integer("n", d.n(), 1, QuorumOptions.MAX_REPLICAS);
        int r = rep.integer("r", Math.min(d.r(), n), 1, QuorumOptions.MAX_REPLICAS);
        int w = rep.integer("w", Math.min(d.w(), n), 1, QuorumOptions.MAX_REPLICAS);
        if (r > n) {
            throw rep.error("r", r + " is more than n = " + n);
        }
        if (w > n) {
            throw rep.error("w", w + " is more than n = " + n);
        }
        long requestTimeout = millis(rep, "request_timeout", d.requestTimeoutMillis(), 1, MAX_REQUEST_TIMEOUT);
        long replicaTimeout = millis(rep, "replica_timeout", d.replicaTimeoutMillis(), 1, MAX_REQUEST_TIMEOUT);
        long readRepairGrace = millis(rep, "read_repair_grace", d.readRepairGraceMillis(), 0, MAX_REQUEST_TIMEOUT);
        long forwardSlack = millis(rep, "forward_slack", d.forwardSlackMillis(), 0, MAX_REQUEST_TIMEOUT);
        String fanoutText = rep.string("read_fanout", d.readFanout().name().toLowerCase(java.util.Locale.ROOT), "");
        ReadFanout fanout = switch (fanoutText) {
            case "quorum" -> ReadFanout.QUORUM;
            case "all" -> ReadFanout.ALL;
            default -> throw rep.error("read_fanout", "'" + fanoutText + "' is not quorum or all");
        };
        SpeculativeRetry speculativeRetry = speculativeRetry(rep, d.speculativeRetry());
        double readRepairChance = rep.decimal("read_repair_chance", d.readRepairChance());
        if (!(readRepairChance >= 0 && readRepairChance <= 1)) {
            throw rep.error("read_repair_chance", readRepairChance + " is not a probability in 0..1");
        }

        Section hints = root.section("hints").expect("max_count", "max_age", "replay_interval", "replay_batch");
        long maxHints = hints.longValue("max_count", d.maxHints(), 0, Long.MAX_VALUE);
        long maxHintAge = millis(hints, "max_age", d.maxHintAgeMillis(), 1, CENTURY);
        long replayInterval = millis(hints, "replay_interval", d.hintReplayIntervalMillis(), 1, Duration.ofHours(1));
        int replayBatch = hints.integer("replay_batch", d.hintReplayBatchSize(), 1, 100_000);

        BudgetConfig b = d.budget();
        Section budget = root.section("budget").expect("max_concurrent", "keys_per_second", "bytes_per_second");
        int maxConcurrent = budget.integer("max_concurrent", b.maxConcurrent(), 1, BudgetConfig.MAX_CONCURRENT);
        long keysPerSecond = budget.countOrUnlimited("keys_per_second", b.keysPerSecond(), BudgetConfig.UNLIMITED);
        long bytesPerSecond = budget.size("bytes_per_second", b.bytesPerSecond(), BudgetConfig.UNLIMITED);
        budget.inRange("bytes_per_second", bytesPerSecond, 1, Long.MAX_VALUE);

        return checked(root, "replication", () -> new CoordinatorConfig(n, r, w, requestTimeout, replicaTimeout,
                readRepairGrace, forwardSlack, maxHints, maxHintAge, replayInterval, replayBatch,
                new BudgetConfig(maxConcurrent, keysPerSecond, bytesPerSecond), fanout, speculativeRetry,
                readRepairChance));
    }

    /** {@code off}, a percentile {@code p99} (or {@code p99.9}), or a duration {@code 20ms} at least 1 ms. */
    private static SpeculativeRetry speculativeRetry(Section rep, SpeculativeRetry dflt) {
        String key = "speculative_retry";
        String text = rep.string(key, dflt.toString(), "");
        // YAML 1.1 readers may take a bare off for the boolean false.
        if (text.equals("off") || text.equals("false")) {
            return SpeculativeRetry.OFF;
        }
        if (text.startsWith("p")) {
            double p;
            try {
                p = Double.parseDouble(text.substring(1));
            } catch (NumberFormatException e) {
                throw rep.error(key, "'" + text + "' is not off, a percentile (p99) or a duration (20ms)");
            }
            if (!(p > 0 && p < 100)) {
                throw rep.error(key, "the percentile of '" + text + "' must be above 0 and below 100");
            }
            return SpeculativeRetry.percentile(p);
        }
        Duration delay;
        try {
            delay = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw rep.error(key, "'" + text + "' is not off, a percentile (p99) or a duration (20ms)");
        }
        Duration min = Duration.ofMillis(SpeculativeRetry.FLOOR_MILLIS);
        if (delay.compareTo(min) < 0) {
            throw rep.error(key, text + " is below the minimum " + Durations.format(min));
        }
        if (delay.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
            throw rep.error(key, text + " is above the maximum " + Durations.format(MAX_REQUEST_TIMEOUT));
        }
        return SpeculativeRetry.fixed(delay.toMillis());
    }

    private static AntiEntropyConfig antiEntropy(Section s) {
        AntiEntropyConfig d = AntiEntropyConfig.defaults();
        s.expect("enabled", "tick", "interval", "concurrency", "rebuild_chunk_keys", "message_timeout",
                "collect_tombstones", "tombstone_grace", "max_tombstones_per_round");
        boolean enabled = s.bool("enabled", d.enabled());
        long tick = millis(s, "tick", d.tickMillis(), 1, Duration.ofHours(1));
        long interval = millis(s, "interval", d.intervalMillis(), 1, CENTURY);
        int concurrency = s.integer("concurrency", d.concurrency(), 1, 1024);
        int chunk = s.integer("rebuild_chunk_keys", d.rebuildChunkKeys(), 1, 1_000_000);
        long messageTimeout = millis(s, "message_timeout", d.messageTimeoutMillis(), 1, Duration.ofHours(1));
        boolean collect = s.bool("collect_tombstones", d.collectTombstones());
        long grace = millis(s, "tombstone_grace", d.tombstoneGraceMillis(), 0, CENTURY);
        int perRound = s.integer("max_tombstones_per_round", d.maxTombstonesPerRound(), 1, MAX_TOMBSTONES_PER_ROUND);
        return checked(s, "", () -> new AntiEntropyConfig(enabled, tick, interval, concurrency, chunk,
                messageTimeout, collect, grace, perRound));
    }

    private static GossipSettings gossip(Section s) {
        FailureDetectorConfig d = FailureDetectorConfig.DEFAULTS;
        s.expect("interval", "phi_threshold", "window_size", "min_std_deviation", "acceptable_pause",
                "first_heartbeat_estimate", "pause_threshold");
        Duration interval = duration(s, "interval", d.tickInterval(), Duration.ofMillis(1), Duration.ofHours(1));
        double phi = s.decimal("phi_threshold", d.threshold());
        if (!(phi > 0) || Double.isInfinite(phi)) {
            throw s.error("phi_threshold", phi + " is not a positive number");
        }
        int window = s.integer("window_size", d.windowSize(), 2, FailureDetectorConfig.MAX_WINDOW_SIZE);
        Duration minStd = duration(s, "min_std_deviation", d.minStdDeviation(), Duration.ofMillis(1), CENTURY);
        Duration pause = duration(s, "acceptable_pause", d.acceptablePause(), Duration.ZERO, CENTURY);
        Duration first = duration(s, "first_heartbeat_estimate", d.firstHeartbeatEstimate(), Duration.ofMillis(1),
                CENTURY);
        // Twice the interval by default, as the detector's own defaults (1 s ticks, 2 s), whatever the interval.
        Duration pauseThreshold = duration(s, "pause_threshold", interval.multipliedBy(2), Duration.ofMillis(1),
                CENTURY);
        if (pauseThreshold.compareTo(interval) <= 0) {
            throw s.error("pause_threshold", Durations.format(pauseThreshold) + " must be longer than "
                    + s.key("interval") + " = " + Durations.format(interval));
        }
        FailureDetectorConfig detector = checked(s, "", () -> new FailureDetectorConfig(phi, window, minStd, pause,
                first, interval, pauseThreshold));
        return new GossipSettings(interval, detector);
    }

    private static MembershipSettings membership(Section s) {
        s.expect("auto_commit", "settle");
        boolean autoCommit = s.bool("auto_commit", true);
        Duration settle = duration(s, "settle", NodeFileConfig.DEFAULT_SETTLE, Duration.ZERO, Duration.ofDays(1));
        return new MembershipSettings(autoCommit, settle);
    }

    /** Off unless {@code certificate} names a file; then {@code key} and {@code ca} are required. */
    private static TlsConfig tls(Section s) {
        s.expect("certificate", "key", "ca", "client_auth", "provider", "protocols", "reload_interval");
        String cert = s.string("certificate", "", "");
        String key = s.string("key", "", "");
        String ca = s.string("ca", "", "");
        String clientAuth = s.string("client_auth", "optional", "");
        String provider = s.string("provider", "auto", "");
        String protocols = s.string("protocols", TlsConfig.TLS_1_3, "");
        Duration reload = duration(s, "reload_interval", TlsConfig.DEFAULT_RELOAD_INTERVAL, Duration.ZERO,
                Duration.ofDays(1));
        TlsConfig.ClientAuth auth = switch (clientAuth) {
            case "none" -> TlsConfig.ClientAuth.NONE;
            case "optional" -> TlsConfig.ClientAuth.OPTIONAL;
            case "require" -> TlsConfig.ClientAuth.REQUIRE;
            default -> throw s.error("client_auth", "'" + clientAuth + "' is not none, optional or require");
        };
        TlsConfig.Provider p = switch (provider) {
            case "auto" -> TlsConfig.Provider.AUTO;
            case "openssl" -> TlsConfig.Provider.OPENSSL;
            case "jdk" -> TlsConfig.Provider.JDK;
            default -> throw s.error("provider", "'" + provider + "' is not auto, openssl or jdk");
        };
        String[] versions = protocols.split("\\s*,\\s*");
        for (String v : versions) {
            if (!v.equals(TlsConfig.TLS_1_3) && !v.equals(TlsConfig.TLS_1_2)) {
                throw s.error("protocols", "'" + v + "' is not " + TlsConfig.TLS_1_3 + " or " + TlsConfig.TLS_1_2);
            }
        }
        if (cert.isBlank()) {
            if (!key.isBlank() || !ca.isBlank()) {
                throw s.error("certificate", "missing: key and ca are set, so TLS needs this node's certificate");
            }
            return null;
        }
        if (key.isBlank()) {
            throw s.error("key", "missing: the private key (PKCS#8 PEM) of the certificate");
        }
        if (ca.isBlank()) {
            throw s.error("ca", "missing: the CA certificate(s) that issued the cluster's certificates");
        }
        return checked(s, "", () -> TlsConfig.of(Path.of(cert), Path.of(key), Path.of(ca)).withClientAuth(auth)
                .withProvider(p).withProtocols(versions).withReloadInterval(reload));
    }

    /** Anonymous access is off unless asked for: a node from a file is a real node (docs/security.md). */
    private static AuthConfig auth(Section s) {
        s.expect("users_file", "anonymous");
        String users = s.string("users_file", "", "");
        return new AuthConfig(users.isBlank() ? null : Path.of(users), s.bool("anonymous", false));
    }

    private static ConnectionLimits limits(Section s) {
        s.expect("max_client_connections", "max_node_connections", "max_pending_handshakes",
                "max_connections_per_source", "max_handshakes_per_source", "handshake_timeout", "idle_timeout",
                "max_partial_frame_bytes");
        ConnectionLimits d = ConnectionLimits.defaults();
        int million = 1_000_000;
        return new ConnectionLimits(s.integer("max_client_connections", d.maxClientConnections(), 1, million),
                s.integer("max_node_connections", d.maxNodeConnections(), 1, million),
                s.integer("max_pending_handshakes", d.maxPendingHandshakes(), 1, million),
                s.integer("max_connections_per_source", d.maxConnectionsPerSource(), 1, million),
                s.integer("max_handshakes_per_source", d.maxHandshakesPerSource(), 1, million),
                duration(s, "handshake_timeout", d.handshakeTimeout(), Duration.ofMillis(100), Duration.ofMinutes(10)),
                duration(s, "idle_timeout", d.idleTimeout(), Duration.ofSeconds(1), Duration.ofDays(1)),
                partialFrameBytes(s));
    }

    /** 0 (the default) or enough for one frame of the largest size: below it, every large write would fail. */
    private static long partialFrameBytes(Section s) {
        long bytes = s.inRange("max_partial_frame_bytes", s.size("max_partial_frame_bytes", 0, -1), 0, 1L << 40);
        if (bytes != 0 && bytes < ProtocolLimits.DEFAULT_MAX_FRAME_BYTES) {
            throw s.error("max_partial_frame_bytes", "below one frame of the largest size ("
                    + ByteSizes.format(ProtocolLimits.DEFAULT_MAX_FRAME_BYTES) + "): every large write would be"
                    + " refused; 0 for the default");
        }
        return bytes;
    }

    private static MetricsConfig metrics(Section s) {
        s.expect("jmx", "csv_dir", "csv_interval", "prometheus_listen", "slow_request");
        MetricsConfig d = MetricsConfig.defaults();
        boolean jmx = s.bool("jmx", d.jmx());
        String csvText = s.string("csv_dir", "", "");
        Path csvDir = csvText.isBlank() ? null : checked(s, "csv_dir", () -> Path.of(csvText));
        Duration csvInterval = duration(s, "csv_interval", d.reportInterval(), Duration.ofMillis(100),
                Duration.ofDays(1));
        String promText = s.string("prometheus_listen", "", "");
        HostPort prometheus = promText.isBlank() ? null : checked(s, "prometheus_listen", () -> {
            try {
                return HostPort.parse(promText);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + promText + "' is not host:port: " + e.getMessage(), e);
            }
        });
        Duration slow = duration(s, "slow_request", d.slowRequest(), Duration.ZERO, Duration.ofDays(1));
        return new MetricsConfig(jmx, csvDir, csvInterval, prometheus, slow);
    }

    private static long millis(Section s, String key, long dfltMillis, long minMillis, Duration max) {
        return duration(s, key, Duration.ofMillis(dfltMillis), Duration.ofMillis(minMillis), max).toMillis();
    }

    private static Duration duration(Section s, String key, Duration dflt, Duration min, Duration max) {
        Duration d = s.duration(key, dflt);
        if (d.compareTo(min) < 0) {
            throw s.error(key, Durations.format(d) + " is below the minimum " + Durations.format(min));
        }
        if (d.compareTo(max) > 0) {
            throw s.error(key, Durations.format(d) + " is above the maximum " + Durations.format(max));
        }
        return d;
    }

    /**
     * Runs a constructor that checks its own arguments; what it refuses is reported under {@code key}. A backstop:
     * the reader checks each value first, so that the message names the exact key.
     */
    private static <T> T checked(Section s, String key, Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            String k = s.key(key);
            throw new ConfigException(k.endsWith(".") ? k.substring(0, k.length() - 1) : k, e.getMessage());
        }
    }
}
