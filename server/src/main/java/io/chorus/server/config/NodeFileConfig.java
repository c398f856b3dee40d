package io.chorus.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.core.NodeId;
import io.chorus.gossip.FailureDetectorConfig;
import io.chorus.ring.Member;
import io.chorus.server.HostPort;
import io.chorus.server.NodeConfig;
import io.chorus.storage.Durability;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import io.chorus.server.metrics.MetricsConfig;
import io.chorus.server.ConnectionLimits;
import io.chorus.server.security.AuthConfig;
import io.chorus.transport.tls.TlsConfig;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of one node as its config file gives them ({@code chorus node --config FILE}), checked: a value
 * that could not work is refused when the file is read, with one line naming its key ({@link ConfigException}).
 * The keys, their defaults and meaning are in {@code docs/operations.md} ("Configuration") and in the commented
 * example {@code chorus-node.example.yaml}. Immutable.
 *
 * @param clusterName     the cluster this node belongs to
 * @param nodeName        this node's name, unique in the cluster and fixed for the life of its data directory
 * @param dataDir         where its data and identity live (relative to the working directory if relative)
 * @param zone            its failure zone, or {@link Member#NO_ZONE}
 * @param clientListen    the socket clients connect to (port 0: ephemeral)
 * @param peerListen      the socket other nodes connect to; equal to {@code clientListen} for one socket
 * @param clientAdvertise where clients are told to connect; port 0 only when derived from an ephemeral listener,
 *                        meaning the port it binds
 * @param peerAdvertise   where other nodes are told to connect, likewise
 * @param seeds           peer addresses of nodes to gossip with first (may include this node's own)
 * @param partitions      Q, used only when a new cluster is created
 * @param durability      whether each group commit is fsynced
 * @param dispatchThreads threads that run requests off the event loops
 * @param coordinator     replication defaults, request timeouts, hints and the background budget
 * @param antiEntropy     active anti-entropy and tombstone collection
 * @param gossip          the gossip round and failure detection
 * @param membership      how ring changes are made
 * @param metrics         where metrics go besides STATS, and the slow-request log
 * @param tls             TLS on every connection, or null for plaintext
 * @param auth            the users file and whether anonymous clients are let in (off unless asked for)
 * @param limits          what the listeners tolerate: slots, per-source limits, deadlines, partial frames
 * @param readsOnEventLoop whether GETs and replica reads run on the network thread that received them
 * @param storageShards   LMDB environments the store is split into ({@code storage_shards}), fixed for a data
 *                        directory once it holds a store
 */
public record NodeFileConfig(String clusterName, NodeId nodeName, Path dataDir, String zone, HostPort clientListen,
        HostPort peerListen, HostPort clientAdvertise, HostPort peerAdvertise, List<HostPort> seeds, int partitions,
        Durability durability, int dispatchThreads, CoordinatorConfig coordinator, AntiEntropyConfig antiEntropy,
        GossipSettings gossip, MembershipSettings membership, MetricsConfig metrics, TlsConfig tls,
        AuthConfig auth, ConnectionLimits limits, boolean readsOnEventLoop, int storageShards) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 7100);
    public static final int DEFAULT_PARTITIONS = 256;
    public static final int DEFAULT_DISPATCH_THREADS = 4;
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(5);

    /**
     * Gossip's settings. The failure detector ticks once a gossip round, so its tick interval is {@code interval}.
     *
     * @param interval        how often the node gossips (and ticks its failure detector)
     * @param failureDetector the phi-accrual detector's settings
     */
    public record GossipSettings(Duration interval, FailureDetectorConfig failureDetector) {
        public GossipSettings {
            Objects.requireNonNull(interval, "interval");
            if (!failureDetector.tickInterval().equals(interval)) {
                throw new IllegalArgumentException("the detector ticks every " + failureDetector.tickInterval()
                        + ", not every gossip interval " + interval);
            }
        }
    }

    /**
     * How ring changes are made.
     *
     * @param autoCommit whether a node that joins or leaves changes the ring by itself, once membership has been
     *                   quiet for {@code settle}; false leaves every change to an operator's commit
     * @param settle     how long membership must stay unchanged before an automatic commit, so that nodes started
     *                   together join in one ring change
     */
    public record MembershipSettings(boolean autoCommit, Duration settle) {
        public MembershipSettings {
            if (settle == null || settle.isNegative()) {
                throw new IllegalArgumentException("settle must be zero or more: " + settle);
            }
        }
    }

    public NodeFileConfig {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(clientListen, "clientListen");
        Objects.requireNonNull(peerListen, "peerListen");
        Objects.requireNonNull(clientAdvertise, "clientAdvertise");
        Objects.requireNonNull(peerAdvertise, "peerAdvertise");
        seeds = List.copyOf(seeds);
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(antiEntropy, "antiEntropy");
        Objects.requireNonNull(gossip, "gossip");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Reads {@code file} with {@code overrides} applied over it.
     *
     * @throws ConfigException for anything a node could not start with, the file's absence included
     */
    public static NodeFileConfig load(Path file, ConfigOverrides overrides) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", file + ": no such file");
        } catch (MalformedInputException e) {
            throw new ConfigException("", file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("", file + ": cannot be read (" + e.getMessage() + ")");
        }
        return parse(text, file.toString(), overrides);
    }

    /** The settings of flags alone, with no file: every other key takes its default. */
    public static NodeFileConfig fromOverrides(ConfigOverrides overrides) {
        return parse("", "(no file)", overrides);
    }

    /**
     * Reads YAML text.
     *
     * @param origin what the text is (a file name), for errors of the YAML itself
     */
    public static NodeFileConfig parse(String yaml, String origin, ConfigOverrides overrides) {
        ObjectNode root = tree(yaml, origin);
        overrides.applyTo(root);
        try {
            return NodeFileConfigReader.read(root);
        } catch (ConfigException e) {
            String source = overrides.sourceOf(e.key());
            throw source == null ? e : new ConfigException(e.key(), e.problem() + " (from " + source + ")");
        }
    }

    private static ObjectNode tree(String yaml, String origin) {
        // Per call, not a static: nothing in this JVM shares state with a node's start.
        YAMLMapper mapper = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        JsonNode tree;
        try {
            tree = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw yamlError(e, origin);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException("", origin + ": expected keys and values (key: value), got "
                    + (tree.isArray() ? "a list" : "'" + tree.asText() + "'"));
        }
        return (ObjectNode) tree;
    }

    /**
     * One line: where, and what. SnakeYAML's own message runs over several lines (context, problem, a snippet with
     * a caret); its problem and context say it in one.
     */
    private static ConfigException yamlError(JsonProcessingException e, String origin) {
        String message = firstLine(String.valueOf(e.getOriginalMessage()));
        JsonLocation at = e.getLocation();
        int line = at == null ? 0 : at.getLineNr();
        int column = at == null ? 0 : at.getColumnNr();
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
            message = firstLine(yaml.getProblem()) + (yaml.getContext() == null ? "" : " ("
                    + firstLine(yaml.getContext()) + ")");
            if (yaml.getProblemMark() != null) {
                line = yaml.getProblemMark().getLine() + 1;
                column = yaml.getProblemMark().getColumn() + 1;
            }
        }
        String where = line < 1 ? "" : " line " + line + ", column " + column;
        if (message.startsWith("Duplicate field")) {
            String key = e.getProcessor() instanceof JsonParser p ? dottedPath(p.getParsingContext()) : "";
            return new ConfigException(key, "set twice (" + origin + where + ")");
        }
        return new ConfigException("", origin + ":" + where + (where.isEmpty() ? " " : ": ") + message);
    }

    private static String firstLine(String text) {
        String s = text.strip();
        int newline = s.indexOf('\n');
        return newline < 0 ? s : s.substring(0, newline).strip();
    }

    private static String dottedPath(JsonStreamContext context) {
        Deque<String> names = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null; c = c.getParent()) {
            if (c.getCurrentName() != null) {
                names.addFirst(c.getCurrentName());
            }
        }
        return String.join(".", names);
    }

    /** Whether other nodes have a socket of their own. */
    public boolean separatePeerListener() {
        return !peerListen.equals(clientListen);
    }

    /** How this node finds and changes its cluster: through its seeds, gossiping as configured. */
    public io.chorus.server.MembershipOptions membershipOptions() {
        io.chorus.gossip.GossipConfig g = io.chorus.gossip.GossipConfig.DEFAULTS.withInterval(gossip.interval())
                .withDetector(gossip.failureDetector());
        return io.chorus.server.MembershipOptions.seeds(seeds, g, membership.autoCommit(), membership.settle());
    }

    /** This node as a ring member. */
    public Member member() {
        return new Member(nodeName, zone);
    }

    /**
     * The settings of a {@link io.chorus.server.ChorusNode} with these members (membership is static until gossip
     * is wired). Advertised addresses equal to the listeners are left to the node, which then advertises the
     * ports it binds.
     */
    public NodeConfig toNodeConfig(List<Member> members) {
        boolean separate = separatePeerListener();
        HostPort clientAdv = clientAdvertise.equals(clientListen) ? null : clientAdvertise;
        HostPort peerAdv = peerAdvertise.equals(separate ? peerListen : clientAdvertise) ? null : peerAdvertise;
        return new NodeConfig(nodeName, dataDir, clientListen.host(), clientListen.port(), members, partitions,
                durability, coordinator, dispatchThreads, 0, antiEntropy, clusterName, separate ? peerListen : null,
                clientAdv, peerAdv, metrics, tls, auth, limits, readsOnEventLoop, storageShards);
    }
}
