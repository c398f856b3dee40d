package io.chorus.benchmarks.ycsb;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The PNG charts of RESULTS.md: the maximum throughput of every configuration per workload
 * ({@code throughput.png}), and per workload the latency percentiles against load ({@code latency-WORKLOAD.png}:
 * p50, p99 and p99.9, corrected for coordinated omission, one line per configuration and operation, load as a
 * share of that configuration's maximum throughput). Stateless.
 */
public final class ResultCharts {

    private static final int WIDTH = 900;
    private static final int BAR_HEIGHT = 500;
    private static final int LATENCY_HEIGHT = 900;

    private ResultCharts() {
    }

    /** Writes the charts of {@code runs} into {@code dir}; returns the files written, throughput chart first. */
    public static List<Path> write(List<RunSummary> runs, Path dir) {
        System.setProperty("java.awt.headless", "true");
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            Path throughput = dir.resolve("throughput.png");
            ChartUtils.saveChartAsPNG(throughput.toFile(), throughputChart(runs), WIDTH, BAR_HEIGHT);
            written.add(throughput);
            for (String workload : new TreeSet<>(runs.stream().map(RunSummary::workload).toList())) {
                List<RunSummary> of = runs.stream().filter(r -> r.workload().equals(workload)).toList();
                if (of.stream().anyMatch(r -> !r.isMax())) {
                    Path latency = dir.resolve("latency-" + workload + ".png");
                    ChartUtils.saveChartAsPNG(latency.toFile(), latencyChart(workload, of), WIDTH, LATENCY_HEIGHT);
                    written.add(latency);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return written;
    }

    static JFreeChart throughputChart(List<RunSummary> runs) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (RunSummary r : ResultsReport.maxRuns(runs)) {
            data.addValue(r.throughput(), r.config(), r.workload());
        }
        JFreeChart chart = ChartFactory.createBarChart("Maximum throughput", "workload", "operations per second",
                data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    static JFreeChart latencyChart(String workload, List<RunSummary> runs) {
        Map<String, Double> max = new LinkedHashMap<>();
        for (RunSummary r : ResultsReport.maxRuns(runs)) {
            max.put(r.config(), r.throughput());
        }
        NumberAxis load = new NumberAxis("target rate, % of the configuration's maximum throughput");
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(load);
        plot.add(percentilePlot("p50 (ms)", runs, max, RunSummary.Latency::p50), 1);
        plot.add(percentilePlot("p99 (ms)", runs, max, RunSummary.Latency::p99), 1);
        plot.add(percentilePlot("p99.9 (ms)", runs, max, RunSummary.Latency::p999), 1);
        JFreeChart chart = new JFreeChart(workload + ": latency against load (corrected for coordinated omission)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static XYPlot percentilePlot(String label, List<RunSummary> runs, Map<String, Double> max,
                                         ToDoubleFunction<RunSummary.Latency> percentile) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (RunSummary r : runs) {
            Double top = max.get(r.config());
            if (r.isMax() || top == null || top <= 0) {
                continue;
            }
            double x = 100 * r.rate() / top;
            r.intended().forEach((op, latency) -> {
                double ms = percentile.applyAsDouble(latency) / 1000;
                if (ms > 0) {
                    series.computeIfAbsent(r.config() + " " + op, k -> new XYSeries(k, true, false)).add(x, ms);
                }
            });
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(0.01);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
