package io.chorus.benchmarks.ycsb;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.WorkloadException;
import site.ycsb.workloads.CoreWorkload;

/**
 * A warm-up inside the YCSB JVM, before its timed run. YCSB starts a fresh JVM for every run, and the first seconds
 * of one (the JIT compiling the client, the binding and the workload, on the cores the servers use too) otherwise
 * count as the store's latency: most of all in the figures corrected for coordinated omission at a set rate, where
 * one slow second delays every request scheduled after it. Both bindings call it, so Chorus and Redis are
 * measured alike.
 *
 * <p>With {@code warmup.seconds=S} (default 0: none), the first {@code init} of the JVM runs the run's own
 * workload ({@link CoreWorkload} with the run's properties) on {@code warmup.threads} (default 4) instances of the
 * binding for S seconds while every other {@code init} waits. Inserts become reads and read-modify-writes become
 * updates, so that the warm-up adds no record and records no measurement (YCSB measures the operations of a
 * DB through the wrapper it puts around it, which the warm-up's instances do not have, except read-modify-write,
 * which the workload measures itself). YCSB starts each thread's clock and schedule after that thread's
 * {@code init}, so the run's operations and latencies begin after the warm-up; YCSB's RunTime includes it.
 * It prints {@code warmup: N operations in M ms} on stderr, which {@code ycsb.sh} uses to keep its throughput and
 * CPU per operation to the run itself.
 *
 * <p>Whether or not it warms up, the first {@code init} also has the JVM print {@code client cpu: N ms} on stderr
 * as it exits: the CPU time of the whole YCSB process (workload, binding, the store's client, JIT and GC), from
 * which {@code ycsb.sh} takes what it burnt before the run's clock started, for the client's CPU per operation. On
 * 2 cores the client competes with the servers, so what it costs per operation bounds what they can do.
 */
final class Warmup {

    static final String SECONDS = "warmup.seconds";
    static final String THREADS = "warmup.threads";

    /** Creates and initialises one more instance of the binding (whose init does not warm up again). */
    interface Instances {
        DB create(Properties properties) throws DBException;
    }

    private static final AtomicReference<CompletableFuture<Void>> RUN = new AtomicReference<>();
    private static final AtomicBoolean CPU_REPORT = new AtomicBoolean();
    /** Set on the warm-up's own threads, whose instances' init must not wait for the warm-up they are part of. */
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    private Warmup() {
    }

    /** Forgets the warm-up of this JVM, so that each test starts as a fresh YCSB JVM does. */
    static void resetForTests() {
        RUN.set(null);
    }

    /** Called at the end of a binding's init: the first call runs the warm-up, every call returns after it. */
    static void beforeRun(Properties properties, Instances instances) throws DBException {
        if (CPU_REPORT.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.print(String.format(
                    "client cpu: %d ms%n", TimeUnit.NANOSECONDS.toMillis(processCpuNanos()))), "client-cpu"));
        }
        double seconds = Double.parseDouble(properties.getProperty(SECONDS, "0").trim());
        if (seconds <= 0 || INSIDE.get()) {
            return;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = RUN.compareAndExchange(null, mine);
        if (running == null) {
            try {
                run(properties, seconds, instances);
                mine.complete(null);
            } catch (DBException | RuntimeException e) {
                mine.completeExceptionally(e);
            }
            running = mine;
        }
        try {
            running.join();
        } catch (RuntimeException e) {
            throw new DBException("warm-up failed: " + e.getCause(), e.getCause());
        }
    }

    /** This JVM's CPU time, all threads, user and system; -1 where the platform does not tell. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static void run(Properties runProperties, double seconds, Instances instances) throws DBException {
        int threads = Integer.parseInt(runProperties.getProperty(THREADS, "4").trim());
        Properties properties = warmupProperties(runProperties);
        CoreWorkload workload = new CoreWorkload();
        try {
            workload.init(properties);
        } catch (WorkloadException e) {
            throw new DBException("warm-up workload: " + e.getMessage(), e);
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * TimeUnit.SECONDS.toNanos(1));
        LongAdder operations = new LongAdder();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            CompletableFuture<Void> worker = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                INSIDE.set(true);
                try {
                    DB db = instances.create(properties);
                    try {
                        Object state = workload.initThread(properties, id, threads);
                        while (System.nanoTime() < end && workload.doTransaction(db, state)) {
                            operations.increment();
                        }
                    } finally {
                        db.cleanup();
                    }
                    worker.complete(null);
                } catch (Exception | Error e) {
                    worker.completeExceptionally(e);
                }
            }, "ycsb-warmup-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(worker);
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        // One write of the whole line: System.err's printf flushes each piece of the format on its own, and
        // ycsb.sh, polling the log for this line, once read "warmup: N operations in " without its end.
        System.err.print(String.format("warmup: %d operations in %d ms%n", operations.sum(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
    }

    /** The run's properties with inserts read and read-modify-writes updated instead (see the class comment). */
    static Properties warmupProperties(Properties run) {
        Properties p = new Properties();
        p.putAll(run);
        double read = proportion(run, CoreWorkload.READ_PROPORTION_PROPERTY,
                CoreWorkload.READ_PROPORTION_PROPERTY_DEFAULT);
        double update = proportion(run, CoreWorkload.UPDATE_PROPORTION_PROPERTY,
                CoreWorkload.UPDATE_PROPORTION_PROPERTY_DEFAULT);
        double insert = proportion(run, CoreWorkload.INSERT_PROPORTION_PROPERTY,
                CoreWorkload.INSERT_PROPORTION_PROPERTY_DEFAULT);
        double rmw = proportion(run, CoreWorkload.READMODIFYWRITE_PROPORTION_PROPERTY,
                CoreWorkload.READMODIFYWRITE_PROPORTION_PROPERTY_DEFAULT);
        p.setProperty(CoreWorkload.READ_PROPORTION_PROPERTY, Double.toString(read + insert));
        p.setProperty(CoreWorkload.UPDATE_PROPORTION_PROPERTY, Double.toString(update + rmw));
        p.setProperty(CoreWorkload.INSERT_PROPORTION_PROPERTY, "0");
        p.setProperty(CoreWorkload.READMODIFYWRITE_PROPORTION_PROPERTY, "0");
        return p;
    }

    private static double proportion(Properties p, String name, String fallback) {
        return Double.parseDouble(p.getProperty(name, fallback).trim());
    }
}
