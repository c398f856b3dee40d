package io.chorus.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.chorus.coordinator.AntiEntropyConfig;
import io.chorus.coordinator.BudgetConfig;
import io.chorus.coordinator.CoordinatorConfig;
import io.chorus.coordinator.ReadFanout;
import io.chorus.coordinator.SpeculativeRetry;
import io.chorus.core.NodeId;
import io.chorus.gossip.FailureDetectorConfig;
import io.chorus.ring.Member;
import io.chorus.server.HostPort;
import io.chorus.server.NodeConfig;
import io.chorus.storage.Durability;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The node config file: its example, its defaults, and a one-line error naming the key for every mistake. */
class NodeFileConfigTest {

    private static final String REQUIRED = "node_name: node-1\ndata_dir: /var/lib/chorus\n";

    private static NodeFileConfig parse(String yaml) {
        return NodeFileConfig.parse(yaml, "test.yaml", ConfigOverrides.none());
    }

    /** The one line a node prints for {@code yaml}; checks that it is one line. */
    private static String error(String yaml) {
        return error(yaml, ConfigOverrides.none());
    }

    private static String error(String yaml, ConfigOverrides overrides) {
        try {
            NodeFileConfig.parse(yaml, "test.yaml", overrides);
        } catch (ConfigException e) {
            assertThat(e.line()).doesNotContain("\n").doesNotContain("\r");
            assertThat(e.getStackTrace()).as("printed without a trace, made without one").isEmpty();
            return e.line();
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    static String example() throws IOException {
        try (InputStream in = NodeFileConfigTest.class.getResourceAsStream("/chorus-node.example.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theExampleHoldsExactlyTheDefaults() throws IOException {
        NodeFileConfig example = parse(example());
        assertThat(example).isEqualTo(parse(REQUIRED));
        assertThat(example.clusterName()).isEqualTo("chorus");
        assertThat(example.nodeName()).isEqualTo(NodeId.of("node-1"));
        assertThat(example.dataDir()).isEqualTo(Path.of("/var/lib/chorus"));
        assertThat(example.zone()).isEmpty();
        assertThat(example.clientListen()).isEqualTo(new HostPort("127.0.0.1", 7100));
        assertThat(example.peerListen()).isEqualTo(example.clientListen());
        assertThat(example.separatePeerListener()).isFalse();
        assertThat(example.clientAdvertise()).isEqualTo(example.clientListen());
        assertThat(example.peerAdvertise()).isEqualTo(example.clientListen());
        assertThat(example.seeds()).isEmpty();
        assertThat(example.partitions()).isEqualTo(256);
        assertThat(example.durability()).isEqualTo(Durability.SYNC);
        assertThat(example.dispatchThreads()).isEqualTo(4);
        assertThat(example.readsOnEventLoop()).isTrue();
        assertThat(example.coordinator()).isEqualTo(CoordinatorConfig.defaults());
        assertThat(example.antiEntropy()).isEqualTo(AntiEntropyConfig.defaults());
        assertThat(example.gossip().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(example.gossip().failureDetector()).isEqualTo(FailureDetectorConfig.DEFAULTS);
        assertThat(example.membership().autoCommit()).isTrue();
        assertThat(example.membership().settle()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theExamplesCommentedKeysParseWhenUncommented() throws IOException {
        String uncommented = example().replaceAll("(?m)^# ((peer_listen|client_advertise|peer_advertise): )",
                "$1");
        NodeFileConfig c = parse(uncommented);
        assertThat(c.clientAdvertise()).isEqualTo(new HostPort("node-1.example.com", 7100));
        assertThat(c.peerAdvertise()).isEqualTo(new HostPort("node-1.internal", 7100));
    }

    /** Every key of the example, the commented ones included, and docs/operations.md lists each of them. */
    @Test
    void everyKeyIsInTheExampleAndInTheOperationsGuide() throws IOException {
        String uncommented = example().replaceAll("(?m)^# ((peer_listen|client_advertise|peer_advertise): )",
                "$1");
        List<String> keys = new ArrayList<>();
        leaves("", new YAMLMapper().readTree(uncommented), keys);
        assertThat(keys).hasSize(71);
        // Written back with every key, a config has the same keys as the example (advertise and peer_listen too,
        // when they differ from their defaults).
        List<String> written = new ArrayList<>();
        NodeFileConfig all = parse(uncommented.replace("peer_listen: 127.0.0.1:7100", "peer_listen: 127.0.0.1:7200"));
        leaves("", new YAMLMapper().readTree(NodeFileConfigWriter.write(all)), written);
        assertThat(written).containsExactlyElementsOf(keys);
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        for (String key : keys) {
            assertThat(guide).as("docs/operations.md lists %s", key).contains("`" + key + "`");
        }
    }

    /**
     * The README's table of essential settings names real keys with their real defaults: each row's key is a key of
     * the example file, and a default written as code is the example's value.
     */
    @Test
    void theReadmesConfigurationTableAgreesWithTheCode() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("## Configuration\n");
        assertThat(start).as("README has a Configuration section").isNotNegative();
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        JsonNode example = new YAMLMapper().readTree(example());
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `([a-z_.]+)` \\| ([^|]+) \\|")
                .matcher(section);
        int rows = 0;
        while (row.find()) {
            rows++;
            String key = row.group(1);
            JsonNode value = example;
            for (String part : key.split("\\.")) {
                value = value.get(part);
                assertThat(value).as("README names %s, which the example file does not have", key).isNotNull();
            }
            String dflt = row.group(2).strip();
            if (dflt.startsWith("`")) {
                String shown = value.isArray() && value.isEmpty() ? "[]"
                        : value.asText().isEmpty() ? "\"\"" : value.asText();
                assertThat(dflt).as("README's default of %s", key).isEqualTo("`" + shown + "`");
            } else {
                assertThat(dflt).as("a default not shown as code: %s", key).isEqualTo("required");
            }
        }
        assertThat(rows).isGreaterThanOrEqualTo(10);
    }

    @Test
    void tlsIsOffUntilACertificateIsNamedAndThenNeedsItsKeyAndCa() {
        assertThat(parse(REQUIRED).tls()).isNull();
        io.chorus.transport.tls.TlsConfig tls = parse(REQUIRED + "tls:\n  certificate: n.crt\n  key: n.key\n"
                + "  ca: ca.crt\n  client_auth: require\n  provider: jdk\n  protocols: TLSv1.3,TLSv1.2\n"
                + "  reload_interval: 30s\n").tls();
        assertThat(tls.certificateChain()).isEqualTo(Path.of("n.crt"));
        assertThat(tls.privateKey()).isEqualTo(Path.of("n.key"));
        assertThat(tls.trustedCa()).isEqualTo(Path.of("ca.crt"));
        assertThat(tls.clientAuth()).isEqualTo(io.chorus.transport.tls.TlsConfig.ClientAuth.REQUIRE);
        assertThat(tls.provider()).isEqualTo(io.chorus.transport.tls.TlsConfig.Provider.JDK);
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.reloadInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(parse(REQUIRED + "tls:\n  certificate: n.crt\n  key: n.key\n  ca: ca.crt\n").toNodeConfig(
                List.of(parse(REQUIRED).member())).tls()).isNotNull();
        assertThat(error(REQUIRED + "tls:\n  certificate: n.crt\n  ca: ca.crt\n")).contains("tls.key");
        assertThat(error(REQUIRED + "tls:\n  certificate: n.crt\n  key: n.key\n")).contains("tls.ca");
        assertThat(error(REQUIRED + "tls:\n  key: n.key\n")).contains("tls.certificate");
        assertThat(error(REQUIRED + "tls:\n  certificate: n.crt\n  key: n.key\n  ca: c\n  client_auth: maybe\n"))
                .contains("tls.client_auth");
        assertThat(error(REQUIRED + "tls:\n  certificate: n.crt\n  key: n.key\n  ca: c\n  protocols: SSLv3\n"))
                .contains("tls.protocols");
    }

    private static void leaves(String prefix, JsonNode node, List<String> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                leaves(key, e.getValue(), out);
            } else {
                out.add(key);
            }
        }
    }

    @Test
    void aConfigWrittenBackReadsTheSame() {
        String yaml = REQUIRED + """
                cluster_name: "prod#1"
                zone: eu-1a
                client_listen: 0.0.0.0:7100
                client_advertise: db1.example.com:7100
                peer_listen: "[::]:7200"
                peer_advertise: "[fd00::1]:7200"
                seeds: [db1.example.com:7200, "db2.example.com:7200"]
                partitions: 1024
                durability: nosync
                dispatch_threads: 8
                reads_on_event_loop: false
                storage_shards: 4
                replication: {n: 5, r: 3, w: 4, request_timeout: 10m, read_repair_grace: 0ms, read_fanout: all,
                              speculative_retry: 20ms, read_repair_chance: 0.25}
                hints: {max_count: 0, max_age: 1d}
                budget: {max_concurrent: 4, keys_per_second: unlimited, bytes_per_second: 512KiB}
                anti_entropy: {enabled: false, interval: 90s, tombstone_grace: 0s}
                gossip: {interval: 250ms, phi_threshold: 10.5, acceptable_pause: 0s}
                membership: {auto_commit: false, settle: 0s}
                """;
        NodeFileConfig c = parse(yaml);
        assertThat(c.coordinator().budget()).isEqualTo(new BudgetConfig(4, BudgetConfig.UNLIMITED, 512 << 10));
        assertThat(c.coordinator().readFanout()).isEqualTo(ReadFanout.ALL);
        assertThat(c.readsOnEventLoop()).isFalse();
        assertThat(c.toNodeConfig(List.of(Member.of(c.nodeName()))).readsOnEventLoop()).isFalse();
        assertThat(c.toNodeConfig(List.of(Member.of(c.nodeName()))).storageShards()).isEqualTo(4);
        assertThat(parse(REQUIRED).storageShards()).isEqualTo(1);
        assertThat(c.coordinator().speculativeRetry()).isEqualTo(SpeculativeRetry.fixed(20));
        assertThat(c.coordinator().readRepairChance()).isEqualTo(0.25);
        NodeFileConfig p999 = parse(REQUIRED + "replication: {speculative_retry: p99.9}");
        assertThat(p999.coordinator().speculativeRetry()).isEqualTo(SpeculativeRetry.percentile(99.9));
        assertThat(parse(NodeFileConfigWriter.write(p999))).isEqualTo(p999);
        NodeFileConfig off = parse(REQUIRED + "replication: {speculative_retry: \"off\"}");
        assertThat(off.coordinator().speculativeRetry()).isEqualTo(SpeculativeRetry.OFF);
        assertThat(parse(NodeFileConfigWriter.write(off))).isEqualTo(off);
        assertThat(parse(REQUIRED + "replication: {speculative_retry: off}").coordinator().speculativeRetry())
                .isEqualTo(SpeculativeRetry.OFF);
        assertThat(c.gossip().failureDetector().pauseThreshold()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.peerAdvertise()).isEqualTo(new HostPort("fd00::1", 7200));
        assertThat(parse(NodeFileConfigWriter.write(c))).isEqualTo(c);
        assertThat(parse(NodeFileConfigWriter.write(parse(REQUIRED)))).isEqualTo(parse(REQUIRED));
    }

    @Test
    void aSmallerNTakesSmallerDefaultQuorums() {
        assertThat(parse(REQUIRED + "replication: {n: 1}").coordinator()).satisfies(c -> {
            assertThat(c.r()).isEqualTo(1);
            assertThat(c.w()).isEqualTo(1);
        });
    }

    @Test
    void anEmptyFileNeedsTheNodeNameAndTheDataDir() {
        assertThat(error("")).isEqualTo("config error: node_name: required (this node's name, unique in its"
                + " cluster: set it here or with --node-name)");
        assertThat(error("node_name: a")).startsWith("config error: data_dir: required (");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            gossip:\\n  phi_treshold: 9                | gossip.phi_treshold: unknown key (did you mean gossip.phi_threshold?)
            replicaton:\\n  n: 3                       | replicaton: unknown key (did you mean replication?)
            colour: blue                               | colour: unknown key
            gossip:\\n  interval: 1.5s                 | gossip.interval: '1.5s' is not a duration (a whole number and a unit: 500ms, 1s, 10m, 6h, 1d)
            gossip:\\n  interval: 1                    | gossip.interval: '1' is not a duration (a whole number and a unit: 500ms, 1s, 10m, 6h, 1d)
            gossip:\\n  interval: 0s                   | gossip.interval: 0s is below the minimum 1ms
            gossip:\\n  interval: 3s\\n  pause_threshold: 2s | gossip.pause_threshold: 2s must be longer than gossip.interval = 3s
            gossip:\\n  phi_threshold: -1              | gossip.phi_threshold: -1.0 is not a positive number
            gossip:\\n  window_size: 1                 | gossip.window_size: 1 is below the minimum 2
            hints:\\n  max_age: 6 hours                | hints.max_age: '6 hours' is not a duration (a whole number and a unit: 500ms, 1s, 10m, 6h, 1d)
            replication:\\n  request_timeout: 11m      | replication.request_timeout: 11m is above the maximum 10m
            partitions: 100                            | partitions: 100 is not a power of two
            partitions: 0                              | partitions: 0 is below the minimum 1
            partitions: 131072                         | partitions: 131072 is above the maximum 65536
            partitions: lots                           | partitions: 'lots' is not a whole number
            replication:\\n  w: 4                      | replication.w: 4 is more than n = 3
            replication:\\n  n: 2\\n  r: 3             | replication.r: 3 is more than n = 2
            replication:\\n  n: 0                      | replication.n: 0 is below the minimum 1
            replication:\\n  n: three                  | replication.n: 'three' is not a whole number
            replication: 3                             | replication: expected a section of keys, got '3'
            replication:\\n  read_fanout: some         | replication.read_fanout: 'some' is not quorum or all
            replication:\\n  speculative_retry: p100   | replication.speculative_retry: the percentile of 'p100' must be above 0 and below 100
            replication:\\n  speculative_retry: soon   | replication.speculative_retry: 'soon' is not off, a percentile (p99) or a duration (20ms)
            replication:\\n  speculative_retry: 0ms    | replication.speculative_retry: 0ms is below the minimum 1ms
            replication:\\n  read_repair_chance: 1.5   | replication.read_repair_chance: 1.5 is not a probability in 0..1
            budget:\\n  bytes_per_second: 32MB         | budget.bytes_per_second: '32MB' is not a size (a whole number of bytes, or with KiB, MiB, GiB, TiB: 32MiB)
            budget:\\n  keys_per_second: 0             | budget.keys_per_second: 0 is below the minimum 1
            anti_entropy:\\n  enabled: yes please      | anti_entropy.enabled: 'yes please' is not true or false
            durability: fast                           | durability: 'fast' is not sync or nosync
            zone:                                      | zone: has no value (leave the key out for its default)
            cluster_name: two words                    | cluster_name: 'two words' contains whitespace or a control character
            client_listen: 0.0.0.0:7100                | client_advertise: required when client_listen is the wildcard 0.0.0.0:7100: name the address others reach this node at
            client_listen: '[::]:7100'                 | client_advertise: required when client_listen is the wildcard [::]:7100: name the address others reach this node at
            peer_listen: 0.0.0.0:7200                  | peer_advertise: required when peer_listen is the wildcard 0.0.0.0:7200: name the address others reach this node at
            client_advertise: 0.0.0.0:7100             | client_advertise: 0.0.0.0:7100 is a wildcard address, which nobody can connect to
            client_advertise: db1:0                    | client_advertise: db1:0 has port 0, which nobody can connect to
            client_listen: localhost                   | client_listen: 'localhost' has no port (host:port)
            client_listen: ::1:7100                    | client_listen: '::1:7100': an IPv6 address needs brackets, as in [::1]:7100
            client_listen: db1:70000                   | client_listen: port 70000 is outside 0..65535
            client_listen: 0.0.0.0:7100\\nclient_advertise: db1:7100\\npeer_listen: 10.0.0.1:7100 | peer_listen: 10.0.0.1:7100 and client_listen 0.0.0.0:7100 are the same port on a wildcard address: one of them cannot bind
            seeds: [a:7200, b]                         | seeds[1]: 'b' has no port (host:port)
            seeds: [a:7200, a:7200]                    | seeds[1]: a:7200 is listed twice
            seeds: [0.0.0.0:7200]                      | seeds[0]: 0.0.0.0:7200 cannot be connected to (a wildcard address or port 0)
            seeds: [{host: a}]                         | seeds[0]: expected host:port, got a section
            """)
    void everyMistakeIsOneLineNamingItsKey(String yaml, String expected) {
        assertThat(error(REQUIRED + yaml.replace("\\n", "\n"))).isEqualTo("config error: " + expected);
    }

    @Test
    void theYamlItselfIsCheckedToo() {
        assertThat(error(REQUIRED + "node_name: again\n")).startsWith("config error: node_name: set twice (test.yaml");
        assertThat(error(REQUIRED + "gossip:\n  interval: 1s\n  interval: 2s\n"))
                .startsWith("config error: gossip.interval: set twice (test.yaml line 5");
        assertThat(error(REQUIRED + "gossip: [unclosed\n")).startsWith("config error: test.yaml: line ");
        assertThat(error(REQUIRED + "  bad indent: 1\n")).startsWith("config error: test.yaml: line ");
        assertThat(error("- a\n- b\n")).isEqualTo("config error: test.yaml: expected keys and values (key: value),"
                + " got a list");
    }

    @Test
    void wildcardListenersAdvertiseWhatTheyAreGiven() {
        NodeFileConfig c = parse(REQUIRED + "client_listen: 0.0.0.0:7100\nclient_advertise: db1:7100\n");
        assertThat(c.peerAdvertise()).as("one socket: peers are told the client address").isEqualTo(c.clientAdvertise());
        NodeConfig node = c.toNodeConfig(List.of(c.member()));
        assertThat(node.host()).isEqualTo("0.0.0.0");
        assertThat(node.clientAdvertise()).isEqualTo(new HostPort("db1", 7100));
        assertThat(node.peerListen()).isNull();
        assertThat(node.peerAdvertise()).isNull();
    }

    @Test
    void aSeparatePeerListenerReachesTheNodeConfig() {
        NodeFileConfig c = parse(REQUIRED + "client_listen: 127.0.0.1:0\npeer_listen: 127.0.0.2:0\n");
        NodeConfig node = c.toNodeConfig(List.of(c.member()));
        assertThat(node.peerListen()).isEqualTo(new HostPort("127.0.0.2", 0));
        assertThat(node.clientAdvertise()).as("the bound port").isNull();
        assertThat(node.peerAdvertise()).isNull();
        assertThat(node.clusterName()).isEqualTo("chorus");
    }

    @Test
    void flagsOverrideTheFileAndAreNamedInTheirErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, REQUIRED + "cluster_name: file\nseeds: [a:7200]\ngossip:\n  interval: 2s\n");
        ConfigOverrides flags = new ConfigOverrides().set("node_name", "node-9", "--node-name")
                .set("seeds", "b:7200, c:7200", "--seeds").set("gossip.interval", "500ms", "--set")
                .set("membership.settle", "0s", "--set");
        NodeFileConfig c = NodeFileConfig.load(file, flags);
        assertThat(c.nodeName()).isEqualTo(NodeId.of("node-9"));
        assertThat(c.clusterName()).isEqualTo("file");
        assertThat(c.seeds()).containsExactly(new HostPort("b", 7200), new HostPort("c", 7200));
        assertThat(c.gossip().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.membership().settle()).isZero();

        assertThat(error(REQUIRED, new ConfigOverrides().set("partitions", "100", "--partitions")))
                .isEqualTo("config error: partitions: 100 is not a power of two (from --partitions)");
        assertThat(error(REQUIRED, new ConfigOverrides().set("gossip.phi_treshold", "9", "--set")))
                .isEqualTo("config error: gossip.phi_treshold: unknown key (did you mean gossip.phi_threshold?)"
                        + " (from --set)");
        assertThat(error(REQUIRED, new ConfigOverrides().set("seeds", "a:1,b", "--seeds")))
                .isEqualTo("config error: seeds[1]: 'b' has no port (host:port) (from --seeds)");
        assertThat(error(REQUIRED + "gossip: {interval: 1s}", new ConfigOverrides().set("gossip", "2s", "--set")))
                .isEqualTo("config error: gossip: is a section: set one of its keys, as in gossip.<key> (from --set)");
        assertThat(NodeFileConfig.fromOverrides(new ConfigOverrides().set("node_name", "x", "--node-name")
                .set("data_dir", "d", "--data-dir")).dataDir()).isEqualTo(Path.of("d"));
    }

    @Test
    void aMissingFileIsOneLine(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> NodeFileConfig.load(file, ConfigOverrides.none()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).line())
                        .isEqualTo("config error: " + file + ": no such file"));
    }

    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "1s,PT1S", "10m,PT10M", "6h,PT6H", "2d,PT48H", "0s,PT0S"})
    void durationsRoundTrip(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
        assertThat(Durations.parse(Durations.format(expected))).isEqualTo(expected);
    }

    @Test
    void sizesRoundTrip() {
        for (long n : new long[] {0, 1, 1023, 1024, 32L << 20, 3L << 40, (1L << 20) + 1}) {
            assertThat(ByteSizes.parse(ByteSizes.format(n))).isEqualTo(n);
        }
        assertThat(ByteSizes.parse("32MiB")).isEqualTo(32L << 20);
        assertThatThrownBy(() -> ByteSizes.parse("99999999999TiB")).hasMessageContaining("too large");
    }

    @Test
    void hostPortsParseAndPrint() {
        assertThat(HostPort.parse("[::1]:7100")).isEqualTo(new HostPort("::1", 7100));
        assertThat(new HostPort("::1", 7100)).hasToString("[::1]:7100");
        assertThat(HostPort.parse("db-1.example.com:0").port()).isZero();
        assertThat(HostPort.parse("0.0.0.0:1").isWildcard()).isTrue();
        assertThat(HostPort.parse("[::]:1").isWildcard()).isTrue();
        assertThat(HostPort.parse("127.0.0.1:1").isWildcard()).isFalse();
        assertThat(HostPort.parse("zero:1").isWildcard()).isFalse();
    }
}
