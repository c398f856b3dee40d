package io.chorus.benchmarks.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RESULTS.md and its charts from the summary files ycsb.sh writes (the format below is the one it writes). */
class YcsbResultsReportTest {

    @Test
    void summariesBecomeTablesRatiosAndCharts(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("raw");
        summary(raw.resolve("chorus-3-nodes"), "workloada-chorus-run-0.env", "chorus", "max", "max", "2000", "300",
                "op_READ=\"10 4000 90000 200000\"", "op_Intended_READ=\"10 4000 90000 200000\"",
                "client_cpu_us_per_op=90.0");
        summary(raw.resolve("chorus-3-nodes"), "workloada-chorus-run-1.env", "chorus", "50%", "1000", "990", "350",
                "op_READ=\"10 2000 30000 60000\"", "op_Intended_READ=\"10 2500 45000 70000\"");
        summary(raw.resolve("redis"), "workloada-redis-run-0.env", "redis", "max", "max", "8000", "25",
                "op_READ=\"10 900 9000 20000\"", "op_Intended_READ=\"10 900 9000 20000\"",
                "client_cpu_us_per_op=12.0");

        List<RunSummary> runs = RunSummary.readAll(raw);
        assertThat(runs).extracting(RunSummary::config).containsExactly("chorus-3-nodes", "chorus-3-nodes", "redis");
        RunSummary rated = runs.get(1);
        assertThat(rated.rate()).isEqualTo(1000);
        assertThat(rated.intended().get("READ").p99()).isEqualTo(45000);
        assertThat(rated.measured().get("READ").p99()).isEqualTo(30000);
        // A summary without the client's CPU (the fixed-rate one here) reads as NaN, shown as a dash.
        assertThat(rated.clientCpuUsPerOp()).isNaN();
        assertThat(runs.get(0).clientCpuUsPerOp()).isEqualTo(90.0);

        Path pngs = dir.resolve("png");
        List<Path> charts = ResultCharts.write(runs, pngs);
        assertThat(charts).extracting(p -> p.getFileName().toString())
                .containsExactly("throughput.png", "latency-workloada.png");
        for (Path chart : charts) {
            byte[] png = Files.readAllBytes(chart);
            assertThat(png).hasSizeGreaterThan(1000).startsWith(0x89, 'P', 'N', 'G');
        }

        String md = ResultsReport.render("# Title", runs, List.of("results/throughput.png",
                "results/latency-workloada.png"));
        assertThat(md).startsWith("# Title")
                .contains("| chorus-3-nodes | workloada | 2000 | 300 (290) | 90 | READ 4.00 / 90.00 / 200.00 | 0 |")
                // the fixed-rate row shows the corrected (Intended) latencies, not the measured ones
                .contains("| chorus-3-nodes | 50% | 1000 | 990 | READ 2.50 / 45.00 / 70.00 | 350 (340) | 0 |")
                .contains("| chorus-3-nodes | workloada | 0.25 | 12.0 | 7.5 |")
                .contains("![maximum throughput](results/throughput.png)")
                .contains("![workloada latency against load](results/latency-workloada.png)")
                .contains("`benchmarks/ycsb.sh a --target-rate 50%`");
    }

    private static void summary(Path dir, String file, String store, String target, String rate, String throughput,
                                String cpu, String... ops) throws Exception {
        Files.createDirectories(dir);
        StringBuilder s = new StringBuilder();
        s.append("store=").append(store).append('\n').append("workload=workloada\n").append("target=").append(target)
                .append("\nrate=").append(rate).append("\nthreads=50\nrecords=100\nops=10\n")
                .append("describe=\"the settings\"\nthroughput=").append(throughput).append("\ncpu_us_per_op=")
                .append(cpu).append("\ncpu_net_us_per_op=").append(Integer.parseInt(cpu) - 10)
                .append("\nidle_cpu_us_per_s=5\nfailed=0\ninvocation=\"benchmarks/ycsb.sh a --target-rate ")
                .append(target).append("\"\ncommand=\"benchmarks/ycsb.sh a --target-rate ").append(rate).append("\"\n");
        for (String op : ops) {
            s.append(op).append('\n');
        }
        Files.writeString(dir.resolve(file), s, StandardCharsets.UTF_8);
    }
}
