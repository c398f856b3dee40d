package io.chorus.server.config;

import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.BudgetConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.coordinator.SpeculativeRetry;
import io.chorus.gossip.FailureDetectorConfig;
import io.chorus.server.HostPort;
import io.chorus.storage.Durability;
import io.chorus.server.metrics.MetricsConfig;
import io.chorus.server.ConnectionLimits;
import io.chorus.transport.tls.TlsConfig;
import java.time.Duration;

/**
 * Writes a {@link NodeFileConfig} back as a config file with every key filled in, in the example file's order:
 * what {@code chorus node --check} prints, so an operator sees the settings a node would really run with.
 * Reading the text back gives an equal config (a tested property). Advertised addresses and the peer listener
 * are written only where they differ from what they would default to. Stateless.
 */
public final class NodeFileConfigWriter {

    private NodeFileConfigWriter() {
    }

    public static String write(NodeFileConfig c) {
        StringBuilder out = new StringBuilder();
        line(out, 0, "cluster_name", quoted(c.clusterName()));
        line(out, 0, "node_name", quoted(c.nodeName().name()));
        line(out, 0, "data_dir", quoted(c.dataDir().toString()));
        line(out, 0, "zone", quoted(c.zone()));
        line(out, 0, "client_listen", quoted(c.clientListen().toString()));
        if (c.separatePeerListener()) {
            line(out, 0, "peer_listen", quoted(c.peerListen().toString()));
        }
        if (!c.clientAdvertise().equals(c.clientListen())) {
            line(out, 0, "client_advertise", quoted(c.clientAdvertise().toString()));
        }
        HostPort peerDefault = c.separatePeerListener() ? c.peerListen() : c.clientAdvertise();
        if (!c.peerAdvertise().equals(peerDefault)) {
            line(out, 0, "peer_advertise", quoted(c.peerAdvertise().toString()));
        }
        StringBuilder seeds = new StringBuilder("[");
        for (HostPort seed : c.seeds()) {
            seeds.append(seeds.length() > 1 ? ", " : "").append(quoted(seed.toString()));
        }
        line(out, 0, "seeds", seeds.append(']').toString());
        line(out, 0, "partitions", Integer.toString(c.partitions()));
        line(out, 0, "durability", c.durability() == Durability.SYNC ? "sync" : "nosync");
        line(out, 0, "dispatch_threads", Integer.toString(c.dispatchThreads()));
        line(out, 0, "reads_on_event_loop", Boolean.toString(c.readsOnEventLoop()));
        line(out, 0, "storage_shards", Integer.toString(c.storageShards()));

        CoordinatorConfig co = c.coordinator();
        out.append("replication:\n");
        line(out, 1, "n", Integer.toString(co.n()));
        line(out, 1, "r", Integer.toString(co.r()));
        line(out, 1, "w", Integer.toString(co.w()));
        line(out, 1, "request_timeout", millis(co.requestTimeoutMillis()));
        line(out, 1, "replica_timeout", millis(co.replicaTimeoutMillis()));
        line(out, 1, "read_repair_grace", millis(co.readRepairGraceMillis()));
        line(out, 1, "forward_slack", millis(co.forwardSlackMillis()));
        line(out, 1, "read_fanout", co.readFanout().name().toLowerCase(java.util.Locale.ROOT));
        line(out, 1, "speculative_retry", co.speculativeRetry().kind() == SpeculativeRetry.Kind.FIXED
                ? millis(co.speculativeRetry().fixedMillis()) : co.speculativeRetry().toString());
        line(out, 1, "read_repair_chance", Double.toString(co.readRepairChance()));
        out.append("hints:\n");
        line(out, 1, "max_count", Long.toString(co.maxHints()));
        line(out, 1, "max_age", millis(co.maxHintAgeMillis()));
        line(out, 1, "replay_interval", millis(co.hintReplayIntervalMillis()));
        line(out, 1, "replay_batch", Integer.toString(co.hintReplayBatchSize()));
        BudgetConfig b = co.budget();
        out.append("budget:\n");
        line(out, 1, "max_concurrent", Integer.toString(b.maxConcurrent()));
        line(out, 1, "keys_per_second", b.keysPerSecond() == BudgetConfig.UNLIMITED ? "unlimited"
                : Long.toString(b.keysPerSecond()));
        line(out, 1, "bytes_per_second", b.bytesPerSecond() == BudgetConfig.UNLIMITED ? "unlimited"
                : ByteSizes.format(b.bytesPerSecond()));

        AntiEntropyConfig ae = c.antiEntropy();
        out.append("anti_entropy:\n");
        line(out, 1, "enabled", Boolean.toString(ae.enabled()));
        line(out, 1, "tick", millis(ae.tickMillis()));
        line(out, 1, "interval", millis(ae.intervalMillis()));
        line(out, 1, "concurrency", Integer.toString(ae.concurrency()));
        line(out, 1, "rebuild_chunk_keys", Integer.toString(ae.rebuildChunkKeys()));
        line(out, 1, "message_timeout", millis(ae.messageTimeoutMillis()));
        line(out, 1, "collect_tombstones", Boolean.toString(ae.collectTombstones()));
        line(out, 1, "tombstone_grace", millis(ae.tombstoneGraceMillis()));
        line(out, 1, "max_tombstones_per_round", Integer.toString(ae.maxTombstonesPerRound()));

        FailureDetectorConfig fd = c.gossip().failureDetector();
        out.append("gossip:\n");
        line(out, 1, "interval", Durations.format(c.gossip().interval()));
        line(out, 1, "phi_threshold", phi(fd.threshold()));
        line(out, 1, "window_size", Integer.toString(fd.windowSize()));
        line(out, 1, "min_std_deviation", Durations.format(fd.minStdDeviation()));
        line(out, 1, "acceptable_pause", Durations.format(fd.acceptablePause()));
        line(out, 1, "first_heartbeat_estimate", Durations.format(fd.firstHeartbeatEstimate()));
        line(out, 1, "pause_threshold", Durations.format(fd.pauseThreshold()));

        out.append("membership:\n");
        line(out, 1, "auto_commit", Boolean.toString(c.membership().autoCommit()));
        line(out, 1, "settle", Durations.format(c.membership().settle()));

        MetricsConfig m = c.metrics();
        out.append("metrics:\n");
        line(out, 1, "jmx", Boolean.toString(m.jmx()));
        line(out, 1, "csv_dir", m.csvDir() == null ? "\"\"" : quoted(m.csvDir().toString()));
        line(out, 1, "csv_interval", Durations.format(m.reportInterval()));
        line(out, 1, "prometheus_listen", m.prometheus() == null ? "\"\"" : m.prometheus().toString());
        line(out, 1, "slow_request", Durations.format(m.slowRequest()));

        TlsConfig t = c.tls();
        out.append("tls:\n");
        line(out, 1, "certificate", t == null ? "\"\"" : quoted(t.certificateChain().toString()));
        line(out, 1, "key", t == null ? "\"\"" : quoted(t.privateKey().toString()));
        line(out, 1, "ca", t == null ? "\"\"" : quoted(t.trustedCa().toString()));
        line(out, 1, "client_auth", t == null ? "optional" : t.clientAuth().name().toLowerCase(java.util.Locale.ROOT));
        line(out, 1, "provider", t == null ? "auto" : t.provider().name().toLowerCase(java.util.Locale.ROOT));
        line(out, 1, "protocols", t == null ? TlsConfig.TLS_1_3 : String.join(",", t.protocols()));
        line(out, 1, "reload_interval", Durations.format(t == null ? TlsConfig.DEFAULT_RELOAD_INTERVAL
                : t.reloadInterval()));

        ConnectionLimits l = c.limits();
        out.append("limits:\n");
        line(out, 1, "max_client_connections", Integer.toString(l.maxClientConnections()));
        line(out, 1, "max_node_connections", Integer.toString(l.maxNodeConnections()));
        line(out, 1, "max_pending_handshakes", Integer.toString(l.maxPendingHandshakes()));
        line(out, 1, "max_connections_per_source", Integer.toString(l.maxConnectionsPerSource()));
        line(out, 1, "max_handshakes_per_source", Integer.toString(l.maxHandshakesPerSource()));
        line(out, 1, "handshake_timeout", Durations.format(l.handshakeTimeout()));
        line(out, 1, "idle_timeout", Durations.format(l.idleTimeout()));
        line(out, 1, "max_partial_frame_bytes", l.maxPartialFrameBytes() == 0 ? "0"
                : ByteSizes.format(l.maxPartialFrameBytes()));

        out.append("auth:\n");
        line(out, 1, "users_file", c.auth().usersFile() == null ? "\"\"" : quoted(c.auth().usersFile().toString()));
        line(out, 1, "anonymous", Boolean.toString(c.auth().anonymous()));
        return out.toString();
    }

    private static void line(StringBuilder out, int indent, String key, String value) {
        out.append("  ".repeat(indent)).append(key).append(": ").append(value).append('\n');
    }

    private static String millis(long ms) {
        return Durations.format(Duration.ofMillis(ms));
    }

    /** 8 rather than 8.0, and every other value exactly as Java prints it (which parses back to itself). */
    private static String phi(double phi) {
        return phi == Math.rint(phi) && Math.abs(phi) < 1e15 ? Long.toString((long) phi) : Double.toString(phi);
    }

    /** A YAML double-quoted scalar: names and paths may hold characters YAML reads otherwise (: # [ ...). */
    private static String quoted(String text) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        q.append(String.format("\\x%02x", (int) ch));
                    } else {
                        q.append(ch);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
