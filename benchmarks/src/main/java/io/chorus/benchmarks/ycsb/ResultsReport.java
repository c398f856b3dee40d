package io.chorus.benchmarks.ycsb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Writes {@code benchmarks/RESULTS.md} and its charts from the runs {@code benchmarks/results.sh} recorded:
 * maximum throughput with CPU per operation, latency at fixed rates (corrected for coordinated omission), and
 * Chorus against Redis; every figure next to the command that made it. Run by results.sh:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.chorus.benchmarks.ycsb.ResultsReport RAW_DIR RESULTS.md PNG_DIR HEADER.md
 * </pre>
 *
 * HEADER.md is copied first (results.sh writes the machine, the date and the durations into it). Stateless.
 */
public final class ResultsReport {

    private ResultsReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ResultsReport RAW_DIR RESULTS.md PNG_DIR HEADER.md");
            System.exit(2);
        }
        Path raw = Path.of(args[0]);
        Path md = Path.of(args[1]).toAbsolutePath();
        Path pngs = Path.of(args[2]).toAbsolutePath();
        List<RunSummary> runs = RunSummary.readAll(raw);
        if (runs.isEmpty()) {
            System.err.println("ResultsReport: no runs under " + raw);
            System.exit(1);
        }
        List<Path> charts = ResultCharts.write(runs, pngs);
        String header = Files.readString(Path.of(args[3]), StandardCharsets.UTF_8);
        Files.writeString(md, render(header, runs, charts.stream().map(c -> md.getParent().relativize(c).toString())
                .toList()), StandardCharsets.UTF_8);
        System.out.println("ResultsReport: wrote " + md + " and " + charts.size() + " charts in " + pngs);
    }

    /** The first max run of each configuration and workload: the maximum throughput the rates are shares of. */
    static List<RunSummary> maxRuns(List<RunSummary> runs) {
        List<RunSummary> out = new ArrayList<>();
        for (RunSummary r : runs) {
            if (r.isMax() && out.stream().noneMatch(o -> o.config().equals(r.config())
                    && o.workload().equals(r.workload()))) {
                out.add(r);
            }
        }
        return out;
    }

    static String render(String header, List<RunSummary> runs, List<String> charts) {
        StringBuilder md = new StringBuilder(header.strip()).append("\n\n");
        md.append("## Maximum throughput\n\n");
        md.append("As fast as the YCSB client threads go (no target rate). Latency here is measured from when each")
                .append(" request was sent. CPU: user + system time of the server processes over the run phase,")
                .append(" per operation; \"net\" subtracts what they burn idle (gossip, anti-entropy) over the")
                .append(" same time. Client CPU: the YCSB JVM's (workload, binding, the store's client) over the run,")
                .append(" per operation; it shares the cores with the servers, so what it costs bounds what they")
                .append(" can do.\n\n");
        md.append("| configuration | workload | ops/s | server CPU µs/op (net) | client CPU µs/op |")
                .append(" operation: p50 / p99 / p99.9 ms | failed |\n|---|---|---:|---:|---:|---|---:|\n");
        List<RunSummary> max = maxRuns(runs);
        for (RunSummary r : max) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f (%.0f) | %s | %s | %d |%n", r.config(),
                    r.workload(), r.throughput(), r.cpuUsPerOp(), r.cpuNetUsPerOp(),
                    orDash(r.clientCpuUsPerOp(), "%.0f"), latencies(r.measured()), r.failed()));
        }
        md.append("\nCommands:\n\n");
        for (RunSummary r : max) {
            md.append("- ").append(r.config()).append(' ').append(r.workload()).append(" (").append(r.describe())
                    .append("): `").append(r.command()).append("`\n");
        }
        if (!charts.isEmpty()) {
            md.append("\n![maximum throughput](").append(charts.get(0)).append(")\n");
        }

        md.append("\n## Latency at fixed rates\n\n");
        md.append("YCSB's `-target` at a share of the configuration's maximum above; latencies measured from when")
                .append(" each request was due (`Intended-` operations), so a stall counts against every request")
                .append(" it held back (corrected for coordinated omission).\n");
        for (String workload : new TreeSet<>(runs.stream().map(RunSummary::workload).toList())) {
            List<RunSummary> rated = runs.stream().filter(r -> r.workload().equals(workload) && !r.isMax()).toList();
            if (rated.isEmpty()) {
                continue;
            }
            md.append("\n### ").append(workload).append("\n\n");
            md.append("| configuration | load | target ops/s | achieved ops/s | operation: p50 / p99 / p99.9 ms |")
                    .append(" server CPU µs/op (net) | failed | command |\n|---|---:|---:|---:|---|---:|---:|---|\n");
            for (RunSummary r : rated) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %s | %.0f (%.0f) | %d | `%s` |%n",
                        r.config(), r.target(), r.rate(), r.throughput(), latencies(r.intended()), r.cpuUsPerOp(),
                        r.cpuNetUsPerOp(), r.failed(), r.command()));
            }
            charts.stream().filter(c -> c.endsWith("latency-" + workload + ".png")).findFirst()
                    .ifPresent(c -> md.append("\n![").append(workload).append(" latency against load](").append(c)
                            .append(")\n"));
        }

        List<String> ratios = new ArrayList<>();
        for (RunSummary c : max) {
            if (!c.store().equals("chorus")) {
                continue;
            }
            Optional<RunSummary> redis = max.stream().filter(r -> r.store().equals("redis")
                    && r.workload().equals(c.workload())).findFirst();
            redis.ifPresent(r -> ratios.add(String.format(Locale.ROOT, "| %s | %s | %.2f | %.1f | %s |",
                    c.config(), c.workload(), c.throughput() / r.throughput(), r.cpuUsPerOp() > 0
                            ? c.cpuUsPerOp() / r.cpuUsPerOp() : Double.NaN,
                    orDash(r.clientCpuUsPerOp() > 0 ? c.clientCpuUsPerOp() / r.clientCpuUsPerOp() : Double.NaN,
                            "%.1f"))));
        }
        if (!ratios.isEmpty()) {
            md.append("\n## Chorus against Redis\n\n");
            md.append("Redis (one process, no persistence, no replication) is the yardstick, not a competitor: a")
                    .append(" Chorus write is fsynced on W replicas and carries a causal context. Ratios of the")
                    .append(" maximum-throughput runs above.\n\n");
            md.append("| configuration | workload | throughput Chorus / Redis | server CPU per op Chorus / Redis |")
                    .append(" client CPU per op Chorus / Redis |\n|---|---|---:|---:|---:|\n");
            ratios.forEach(line -> md.append(line).append('\n'));
        }
        md.append("\nEach run's invocation (one cluster, loaded once, then the runs in order):\n\n");
        new TreeSet<>(runs.stream().map(r -> r.config() + ": `" + r.invocation() + "`").toList())
                .forEach(line -> md.append("- ").append(line).append('\n'));
        return md.toString();
    }

    /** "READ 1.02 / 5.10 / 9.80; UPDATE ..." in milliseconds. */
    private static String latencies(Map<String, RunSummary.Latency> ops) {
        List<String> parts = new ArrayList<>();
        ops.forEach((op, l) -> {
            if (!op.endsWith("-FAILED")) {
                parts.add(String.format(Locale.ROOT, "%s %.2f / %.2f / %.2f", op, l.p50() / 1000, l.p99() / 1000,
                        l.p999() / 1000));
            }
        });
        return String.join("; ", parts);
    }

    /** A figure a summary may lack (NaN, also any ratio of one): a dash in the table. */
    private static String orDash(double v, String format) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
    }
}
