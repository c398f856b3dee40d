package io.chorus.server.metrics;

import io.chorus.server.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where a node's metrics go besides STATS. Immutable.
 *
 * @param jmx            register every metric as an MBean in the platform server, domain {@code io.chorus}, key
 *                       {@code node} (default true)
 * @param csvDir         write every metric to a CSV file of its own in this directory every {@code reportInterval}
 *                       (default: none)
 * @param reportInterval how often the CSV reporter writes (default 10 s)
 * @param prometheus     serve the Prometheus text format on {@code http://HOST:PORT/metrics} (default: none)
 * @param slowRequest    a client request or replica request slower than this is logged (at most a line a second);
 *                       zero turns the log off (default 1 s)
 */
public record MetricsConfig(boolean jmx, Path csvDir, Duration reportInterval, HostPort prometheus,
        Duration slowRequest) {

    public MetricsConfig {
        Objects.requireNonNull(reportInterval, "reportInterval");
        Objects.requireNonNull(slowRequest, "slowRequest");
        if (reportInterval.isNegative() || reportInterval.isZero()) {
            throw new IllegalArgumentException("reportInterval must be positive, got " + reportInterval);
        }
        if (slowRequest.isNegative()) {
            throw new IllegalArgumentException("slowRequest must not be negative, got " + slowRequest);
        }
    }

    public static MetricsConfig defaults() {
        return new MetricsConfig(true, null, Duration.ofSeconds(10), null, Duration.ofSeconds(1));
    }

    public MetricsConfig withJmx(boolean on) {
        return with(b -> b.jmx = on);
    }

    public MetricsConfig withCsv(Path dir, Duration interval) {
        return with(b -> {
            b.csvDir = dir;
            b.reportInterval = interval;
        });
    }

    public MetricsConfig withPrometheus(HostPort listen) {
        return with(b -> b.prometheus = listen);
    }

    public MetricsConfig withSlowRequest(Duration threshold) {
        return with(b -> b.slowRequest = threshold);
    }

    /** This config with {@code change} made to a copy of its components; the canonical constructor validates. */
    private MetricsConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return new MetricsConfig(b.jmx, b.csvDir, b.reportInterval, b.prometheus, b.slowRequest);
    }

    /** The components, mutable, for {@link #with}. */
    private static final class Builder {
        private boolean jmx;
        private Path csvDir;
        private Duration reportInterval;
        private HostPort prometheus;
        private Duration slowRequest;

        private Builder(MetricsConfig c) {
            jmx = c.jmx;
            csvDir = c.csvDir;
            reportInterval = c.reportInterval;
            prometheus = c.prometheus;
            slowRequest = c.slowRequest;
        }
    }
}
