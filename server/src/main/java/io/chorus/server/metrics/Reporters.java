package io.chorus.server.metrics;

import com.codahale.metrics.CsvReporter;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import com.codahale.metrics.jmx.ObjectNameFactory;
import io.chorus.core.NodeId;
import io.chorus.server.StartupException;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The reporters of one node's registry while it runs: JMX, CSV files, a Prometheus endpoint, each only when the
 * config asks. Several nodes may share a JVM (the embedded cluster), so every MBean name carries the node and the
 * Prometheus registry is the node's own, never a global one.
 */
final class Reporters implements AutoCloseable {

    static final String JMX_DOMAIN = "io.chorus";

    private final JmxReporter jmx;
    private final CsvReporter csv;
    private final HTTPServer prometheus;

    private Reporters(JmxReporter jmx, CsvReporter csv, HTTPServer prometheus) {
        this.jmx = jmx;
        this.csv = csv;
        this.prometheus = prometheus;
    }

    static Reporters start(NodeId node, MetricRegistry registry, MetricsConfig config) {
        JmxReporter jmx = null;
        CsvReporter csv = null;
        HTTPServer prometheus = null;
        try {
            if (config.jmx()) {
                jmx = JmxReporter.forRegistry(registry).inDomain(JMX_DOMAIN)
                        .createsObjectNamesWith(namesFor(node)).convertDurationsTo(TimeUnit.MICROSECONDS).build();
                jmx.start();
            }
            if (config.csvDir() != null) {
                Files.createDirectories(config.csvDir());
                csv = CsvReporter.forRegistry(registry).convertDurationsTo(TimeUnit.MICROSECONDS)
                        .filter(MetricFilter.ALL).build(config.csvDir().toFile());
                csv.start(config.reportInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
            if (config.prometheus() != null) {
                PrometheusRegistry own = new PrometheusRegistry();
                DropwizardExports.builder().dropwizardRegistry(registry).register(own);
                prometheus = HTTPServer.builder().hostname(config.prometheus().host())
                        .port(config.prometheus().port()).registry(own).buildAndStart();
            }
            return new Reporters(jmx, csv, prometheus);
        } catch (IOException | RuntimeException e) {
            new Reporters(jmx, csv, prometheus).close();
            throw new StartupException("cannot start the metrics reporters of " + node + ": " + e.getMessage(), e);
        }
    }

    /** {@code io.chorus:node=NODE,type=timers,name=coordinator.put}: one tree per node in a JMX console. */
    static ObjectNameFactory namesFor(NodeId node) {
        return (type, domain, name) -> {
            Hashtable<String, String> keys = new Hashtable<>();
            keys.put("node", quoteIfNeeded(node.toString()));
            keys.put("type", type);
            keys.put("name", quoteIfNeeded(name));
            try {
                return new ObjectName(domain, keys);
            } catch (MalformedObjectNameException e) {
                throw new IllegalArgumentException("no MBean name for " + name + " of " + node, e);
            }
        };
    }

    private static String quoteIfNeeded(String value) {
        return value.matches("[A-Za-z0-9._\\-]+") ? value : ObjectName.quote(value);
    }

    int prometheusPort() {
        return prometheus == null ? -1 : prometheus.getPort();
    }

    @Override
    public void close() {
        if (jmx != null) {
            jmx.stop();
        }
        if (csv != null) {
            csv.stop();
        }
        if (prometheus != null) {
            prometheus.stop();
        }
    }
}
