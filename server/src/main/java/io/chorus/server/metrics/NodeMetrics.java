package io.chorus.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.chorus.coordinator.PeerOpcodes;
import io.chorus.core.NodeId;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.RequestHandler;
import io.chorus.storage.BatchObserver;
import io.chorus.transport.protocol.Opcodes;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The one metrics registry of a node: what STATS answers, what JMX, CSV and Prometheus show. It outlives the node's
 * starts and stops (timers keep their history; gauges read whatever parts run now). The request timers and error
 * counters are fed by {@link TimedHandler}s around the client and peer handlers; the modules' counters come in as
 * gauges over their stats records ({@link RecordGauges}). Thread-safe.
 */
public final class NodeMetrics {

    private final NodeId node;
    private final MetricsConfig config;
    private final MetricRegistry registry = new MetricRegistry();
    private final SnapshotScope scope = new SnapshotScope();
    private final Histogram siblings;
    private final Histogram batchSizes;
    private final Timer commits;
    private Reporters reporters;

    public NodeMetrics(NodeId node, MetricsConfig config) {
        this.node = node;
        this.config = config;
        this.siblings = histogram("coordinator.siblings");
        this.batchSizes = histogram("storage.batch_size");
        this.commits = timer("storage.commit");
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** Every numeric component of the records {@code stats} returns, as gauges {@code prefix.component}. */
    public <R extends Record> void bind(String prefix, Class<R> type, Supplier<? extends R> stats) {
        RecordGauges.register(registry, prefix, type, stats, scope);
    }

    /** A gauge; {@code value} may return null while its part is not running. */
    public void gauge(String name, Supplier<Long> value) {
        registry.register(name, (Gauge<Long>) value::get);
    }

    public void gauge(String name, LongSupplier value) {
        registry.register(name, (Gauge<Long>) value::getAsLong);
    }

    /** The live siblings of an answer to a client's GET (1 is the usual; more is a conflict to resolve). */
    public void siblingsRead(int live) {
        siblings.update(live);
    }

    /** The store's group commits: how many writes each batch held and how long it took. */
    public BatchObserver batches() {
        return (writes, nanos) -> {
            batchSizes.update(writes);
            commits.update(nanos, TimeUnit.NANOSECONDS);
        };
    }

    /** The client handler, timed: {@code coordinator.get|put|delete}, {@code coordinator.errors.CODE}. */
    public RequestHandler timeClients(RequestHandler handler) {
        return timed(handler, "coordinator", Map.of(Opcodes.GET, "get", Opcodes.PUT, "put", Opcodes.DELETE,
                "delete"));
    }

    /** The peer handler, timed: {@code replica.get|put|forward|hint}, {@code replica.errors.CODE}. */
    public RequestHandler timePeers(RequestHandler handler) {
        return timed(handler, "replica", Map.of(PeerOpcodes.REPLICA_GET, "get", PeerOpcodes.REPLICA_PUT, "put",
                PeerOpcodes.FORWARD, "forward", PeerOpcodes.HINT_PUT, "hint"));
    }

    private RequestHandler timed(RequestHandler handler, String prefix, Map<Integer, String> operations) {
        Map<Integer, Timer> timers = new java.util.HashMap<>();
        Map<Integer, String> names = new java.util.HashMap<>();
        operations.forEach((opcode, op) -> {
            timers.put(opcode, timer(prefix + "." + op));
            names.put(opcode, prefix + " " + op);
        });
        EnumMap<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, registry.counter(prefix + ".errors." + code.name().toLowerCase(Locale.ROOT)));
        }
        return new TimedHandler(handler, timers, names, errors,
                new SlowRequests(node.toString(), config.slowRequest().toNanos()));
    }

    /**
     * Timers and histograms are fed on event loops and on the storage writer: their reservoirs must take no lock
     * (the default exponentially decaying one takes a read-write lock on every update).
     */
    private Timer timer(String name) {
        return registry.timer(name, () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build()));
    }

    private Histogram histogram(String name) {
        return registry.histogram(name,
                () -> new Histogram(LockFreeExponentiallyDecayingReservoir.builder().build()));
    }

    /** STATS: every metric of the registry, sorted by name (see {@link RegistryStats}). */
    public Map<String, Long> stats() {
        return scope.during(() -> RegistryStats.of(registry));
    }

    /** Starts the reporters the config asks for; a second call while they run does nothing. */
    public synchronized void startReporters() {
        if (reporters == null) {
            reporters = Reporters.start(node, registry, config);
        }
    }

    public synchronized void stopReporters() {
        if (reporters != null) {
            reporters.close();
            reporters = null;
        }
    }

    /** Where the Prometheus endpoint listens, or -1 when it does not run. */
    public synchronized int prometheusPort() {
        return reporters == null ? -1 : reporters.prometheusPort();
    }
}
