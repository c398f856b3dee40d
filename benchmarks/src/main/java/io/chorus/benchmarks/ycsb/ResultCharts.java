package io.chorus.benchmarks.ycsb;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
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
import org.jfree.chart.axis.NumberTickUnit;
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

    /** Distinct on white and for the common colour blindnesses (Okabe and Ito), then darker variants. */
    private static final Paint[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00),
        new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442), new Color(0x004C78), new Color(0x8F3F00),
    };

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
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    static JFreeChart latencyChart(String workload, List<RunSummary> runs) {
        Map<String, Double> max = new LinkedHashMap<>();
        for (RunSummary r : ResultsReport.maxRuns(runs)) {
            max.put(r.config(), r.throughput());
        }
        // One colour per configuration and operation in all three plots, and one legend for them.
        TreeSet<String> keys = new TreeSet<>();
        // Failed operations' latencies (a few timeouts) would only crowd the chart; RESULTS.md counts them.
        runs.stream().filter(r -> !r.isMax()).forEach(r -> r.intended().keySet().stream()
                .filter(op -> !op.endsWith("-FAILED")).forEach(op -> keys.add(r.config() + " " + op)));
        Map<String, Paint> paints = new LinkedHashMap<>();
        for (String key : keys) {
            paints.put(key, PALETTE[paints.size() % PALETTE.length]);
        }
        NumberAxis load = new NumberAxis("target rate, % of the configuration's maximum throughput");
        load.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(load);
        plot.add(percentilePlot("p50 (ms)", runs, max, paints, true, RunSummary.Latency::p50), 1);
        plot.add(percentilePlot("p99 (ms)", runs, max, paints, false, RunSummary.Latency::p99), 1);
        plot.add(percentilePlot("p99.9 (ms)", runs, max, paints, false, RunSummary.Latency::p999), 1);
        JFreeChart chart = new JFreeChart(workload + ": latency against load (corrected for coordinated omission)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static XYPlot percentilePlot(String label, List<RunSummary> runs, Map<String, Double> max,
                                         Map<String, Paint> paints, boolean inLegend,
                                         ToDoubleFunction<RunSummary.Latency> percentile) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (String key : paints.keySet()) {
            series.put(key, new XYSeries(key, true, false));
        }
        for (RunSummary r : runs) {
            Double top = max.get(r.config());
            if (r.isMax() || top == null || top <= 0) {
                continue;
            }
            double x = 100 * r.rate() / top;
            r.intended().forEach((op, latency) -> {
                double ms = percentile.applyAsDouble(latency) / 1000;
                XYSeries line = series.get(r.config() + " " + op);
                if (ms > 0 && line != null) {
                    line.add(x, ms);
                }
            });
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        // Latencies span orders of magnitude between stores and percentiles: a log axis, ticks at powers of ten.
        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(0.01);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setMinorTickCount(9);
        axis.setMinorTickMarksVisible(true);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        int i = 0;
        for (Map.Entry<String, Paint> e : paints.entrySet()) {
            renderer.setSeriesPaint(i, e.getValue());
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesVisibleInLegend(i, inLegend);
            i++;
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
