package io.chorus.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.chorus.client.ChorusClient;
import io.chorus.transport.protocol.MembersResponse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chorus stats}: every member's metrics side by side, a column a node, from each node's registry (the
 * STATS answer). A member that does not answer shows {@code -}.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Every member's metrics side by side (or one member's with --node); see docs/operations.md.")
public final class StatsCommand extends AdminCommands.Base {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Parameters(arity = "0..1", paramLabel = "PREFIX", defaultValue = "",
            description = "Only the metrics whose name starts with PREFIX, e.g. coordinator.put or gossip.")
    String prefix;

    @Option(names = "--node", paramLabel = "NAME", description = "Only this member.")
    String node;

    @Option(names = "--watch", description = "Print them again every --interval seconds until interrupted.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "2", paramLabel = "SECONDS",
            description = "Seconds between two prints with --watch (default: ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Override
    int run(ChorusClient c) throws Exception {
        if (intervalSeconds < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--interval must be at least 1 second, got " + intervalSeconds);
        }
        do {
            Map<String, Map<String, Long>> byNode = collect(new Cluster(c, host()));
            if (options.json) {
                out().println(json(byNode));
            } else {
                table(out(), byNode);
            }
            out().flush();
            if (watch) {
                Thread.sleep(intervalSeconds * 1_000L);
                out().println();
            }
        } while (watch);
        return 0;
    }

    private Map<String, Map<String, Long>> collect(Cluster cluster) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (MembersResponse.Member m : cluster.live()) {
            if (node != null && !m.id().name().equals(node)) {
                continue;
            }
            Map<String, Long> s = m.alive() ? cluster.stats(m) : null;
            Map<String, Long> kept = null;
            if (s != null) {
                kept = new LinkedHashMap<>();
                for (Map.Entry<String, Long> e : s.entrySet()) {
                    if (e.getKey().startsWith(prefix)) {
                        kept.put(e.getKey(), e.getValue());
                    }
                }
            }
            out.put(m.id().name(), kept);
        }
        if (node != null && out.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no member named " + node);
        }
        return out;
    }

    static void table(PrintWriter out, Map<String, Map<String, Long>> byNode) {
        TreeSet<String> names = new TreeSet<>();
        byNode.values().stream().filter(s -> s != null).forEach(s -> names.addAll(s.keySet()));
        int nameWidth = names.stream().mapToInt(String::length).max().orElse(4);
        List<String> nodes = new ArrayList<>(byNode.keySet());
        List<Integer> widths = new ArrayList<>();
        for (String n : nodes) {
            int w = n.length();
            Map<String, Long> s = byNode.get(n);
            if (s != null) {
                for (Long v : s.values()) {
                    w = Math.max(w, String.valueOf(v).length());
                }
            }
            widths.add(w);
        }
        StringBuilder header = new StringBuilder(String.format("%-" + nameWidth + "s", "metric"));
        for (int i = 0; i < nodes.size(); i++) {
            header.append("  ").append(String.format("%" + widths.get(i) + "s", nodes.get(i)));
        }
        out.println(header.toString().stripTrailing());
        for (String name : names) {
            StringBuilder line = new StringBuilder(String.format("%-" + nameWidth + "s", name));
            for (int i = 0; i < nodes.size(); i++) {
                Map<String, Long> s = byNode.get(nodes.get(i));
                Long v = s == null ? null : s.get(name);
                line.append("  ").append(String.format("%" + widths.get(i) + "s", v == null ? "-" : v));
            }
            out.println(line);
        }
    }

    private static String json(Map<String, Map<String, Long>> byNode) throws JsonProcessingException {
        return JSON.writeValueAsString(byNode);
    }
}
