package io.chorus.benchmarks.ycsb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One YCSB run as {@code benchmarks/ycsb.sh --out DIR} recorded it ({@code DIR/WORKLOAD-STORE-run-I.env}, lines of
 * {@code name=value}), for {@link ResultsReport} and {@link ResultCharts}. Immutable.
 *
 * @param config      the configuration's name: the directory the run's file is in ({@code results.sh} makes one a
 *                    configuration, e.g. {@code chorus-3-nodes})
 * @param store       chorus or redis
 * @param workload    the workload file's name, e.g. workloada
 * @param index       the run's place in its invocation's list of target rates
 * @param target      as given: {@code max}, a rate, or {@code P%} of the first max run
 * @param rate        the target rate in operations per second, 0 for a max run
 * @param describe    the store's settings in words
 * @param ops         operations made
 * @param throughput  operations per second YCSB measured
 * @param cpuUsPerOp  the servers' CPU (user + system) over the run divided by its operations, in microseconds
 * @param cpuNetUsPerOp the same after subtracting the servers' idle CPU over the run's duration
 * @param clientCpuUsPerOp the YCSB JVM's CPU over the run (after its warm-up) divided by its operations, in
 *                    microseconds; NaN where the summary has none (written before ycsb.sh measured it)
 * @param failed      operations that returned neither OK nor NOT_FOUND
 * @param invocation  the ycsb.sh command this run was part of
 * @param command     a ycsb.sh command that makes this run alone
 * @param operations  per YCSB operation (READ, UPDATE, Intended-READ, ...) its count and latency percentiles
 */
public record RunSummary(String config, String store, String workload, int index, String target, double rate,
                         String describe, long ops, double throughput, double cpuUsPerOp, double cpuNetUsPerOp,
                         double clientCpuUsPerOp, long failed, String invocation, String command,
                         Map<String, Latency> operations) {

    /** Count and latency percentiles of one operation, in microseconds as YCSB reports them. */
    public record Latency(long count, double p50, double p99, double p999) {
    }

    private static final Pattern FILE = Pattern.compile("(.+)-([a-z]+)-run-(\\d+)\\.env");

    public RunSummary {
        operations = Map.copyOf(operations);
    }

    /** Whether this is a run as fast as the store goes (no target rate). */
    public boolean isMax() {
        return rate == 0;
    }

    /** The operations YCSB measured from their intended start (coordinated omission corrected), by name. */
    public Map<String, Latency> intended() {
        Map<String, Latency> out = new LinkedHashMap<>();
        operations.entrySet().stream().filter(e -> e.getKey().startsWith("Intended-"))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put(e.getKey().substring("Intended-".length()), e.getValue()));
        return out;
    }

    /** The operations as measured from when each was sent, by name. */
    public Map<String, Latency> measured() {
        Map<String, Latency> out = new LinkedHashMap<>();
        operations.entrySet().stream().filter(e -> !e.getKey().startsWith("Intended-"))
                .sorted(Map.Entry.comparingByKey()).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Every run recorded under {@code root} (one directory a configuration), by configuration, workload, index. */
    public static List<RunSummary> readAll(Path root) {
        List<RunSummary> runs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Matcher m = FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    runs.add(read(f.getParent().getFileName().toString(), Integer.parseInt(m.group(3)), f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runs.sort(Comparator.comparing(RunSummary::workload).thenComparing(RunSummary::config)
                .thenComparingInt(RunSummary::index));
        return runs;
    }

    static RunSummary read(String config, int index, Path file) {
        Map<String, String> v = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    String value = line.substring(eq + 1);
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    v.put(line.substring(0, eq), value);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Latency> ops = new LinkedHashMap<>();
        v.forEach((k, value) -> {
            if (k.startsWith("op_")) {
                String[] f = value.trim().split("\\s+");
                ops.put(k.substring(3).replace('_', '-'), new Latency(Long.parseLong(f[0]), number(f, 1),
                        number(f, 2), number(f, 3)));
            }
        });
        String rate = v.getOrDefault("rate", "max");
        return new RunSummary(config, v.get("store"), v.get("workload"), index, v.get("target"),
                rate.equals("max") ? 0 : Double.parseDouble(rate), v.getOrDefault("describe", ""),
                Long.parseLong(v.get("ops")), Double.parseDouble(v.get("throughput")),
                Double.parseDouble(v.get("cpu_us_per_op")), Double.parseDouble(v.getOrDefault("cpu_net_us_per_op", "0")),
                Double.parseDouble(v.getOrDefault("client_cpu_us_per_op", "NaN")),
                Long.parseLong(v.getOrDefault("failed", "0")), v.getOrDefault("invocation", ""),
                v.getOrDefault("command", ""), ops);
    }

    private static double number(String[] fields, int i) {
        return i < fields.length && !fields[i].isEmpty() ? Double.parseDouble(fields[i]) : Double.NaN;
    }
}
