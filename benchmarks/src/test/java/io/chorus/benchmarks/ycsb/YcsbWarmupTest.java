package io.chorus.benchmarks.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

/** The warm-up before a timed run: it runs the run's workload, minus inserts, and every init waits for it. */
class YcsbWarmupTest {

    /** A binding that only counts, and that warms up from its init as the real ones do. */
    static final class CountingDb extends DB {
        static final AtomicLong READS = new AtomicLong();
        static final AtomicLong UPDATES = new AtomicLong();
        static final AtomicLong OTHERS = new AtomicLong();
        static final AtomicLong LAST_OPERATION_NANOS = new AtomicLong();
        static volatile boolean failCreation;

        @Override
        public void init() throws DBException {
            Warmup.beforeRun(getProperties(), properties -> {
                if (failCreation) {
                    throw new DBException("no server");
                }
                CountingDb db = new CountingDb();
                db.setProperties(properties);
                db.init();
                return db;
            });
        }

        private static Status count(AtomicLong counter) {
            counter.incrementAndGet();
            LAST_OPERATION_NANOS.set(System.nanoTime());
            return Status.OK;
        }

        @Override
        public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
            return count(READS);
        }

        @Override
        public Status scan(String table, String startkey, int recordcount, Set<String> fields,
                Vector<HashMap<String, ByteIterator>> result) {
            return count(OTHERS);
        }

        @Override
        public Status update(String table, String key, Map<String, ByteIterator> values) {
            return count(UPDATES);
        }

        @Override
        public Status insert(String table, String key, Map<String, ByteIterator> values) {
            return count(OTHERS);
        }

        @Override
        public Status delete(String table, String key) {
            return count(OTHERS);
        }
    }

    @BeforeEach
    @AfterEach
    void reset() {
        Warmup.resetForTests();
        CountingDb.READS.set(0);
        CountingDb.UPDATES.set(0);
        CountingDb.OTHERS.set(0);
        CountingDb.LAST_OPERATION_NANOS.set(0);
        CountingDb.failCreation = false;
    }

    /** Workload F's mix plus inserts: every kind the warm-up must turn into reads and updates. */
    private static Properties workload(String warmupSeconds) {
        Properties p = new Properties();
        p.setProperty("recordcount", "100");
        p.setProperty("fieldcount", "1");
        p.setProperty("fieldlength", "10");
        p.setProperty("requestdistribution", "uniform");
        p.setProperty(CoreWorkload.READ_PROPORTION_PROPERTY, "0.5");
        p.setProperty(CoreWorkload.UPDATE_PROPORTION_PROPERTY, "0");
        p.setProperty(CoreWorkload.INSERT_PROPORTION_PROPERTY, "0.25");
        p.setProperty(CoreWorkload.READMODIFYWRITE_PROPORTION_PROPERTY, "0.25");
        if (warmupSeconds != null) {
            p.setProperty(Warmup.SECONDS, warmupSeconds);
            p.setProperty(Warmup.THREADS, "2");
        }
        Measurements.setProperties(p);
        return p;
    }

    /** Starts {@code count} instances' init at once, as YCSB's client threads do; each reports when it returned. */
    private static List<CompletableFuture<Long>> initAll(Properties properties, int count) {
        List<CompletableFuture<Long>> done = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            done.add(CompletableFuture.supplyAsync(() -> {
                CountingDb db = new CountingDb();
                db.setProperties(properties);
                try {
                    db.init();
                } catch (DBException e) {
                    throw new IllegalStateException(e);
                }
                return System.nanoTime();
            }, runnable -> new Thread(runnable).start()));
        }
        return done;
    }

    @Test
    void everyInitReturnsAfterAWarmupOfReadsAndUpdatesOnly() {
        long start = System.nanoTime();
        List<CompletableFuture<Long>> inits = initAll(workload("0.3"), 3);
        List<Long> returned = inits.stream().map(CompletableFuture::join).toList();

        assertThat(CountingDb.READS.get()).as("reads, with the inserts turned into reads").isPositive();
        assertThat(CountingDb.UPDATES.get()).as("updates: read-modify-writes turned into them").isPositive();
        assertThat(CountingDb.OTHERS.get()).as("inserts, scans, deletes").isZero();
        long lastOperation = CountingDb.LAST_OPERATION_NANOS.get();
        assertThat(lastOperation - start).as("the warm-up lasts its seconds").isGreaterThanOrEqualTo(300_000_000L);
        assertThat(returned).as("no init returns while the warm-up still runs").allMatch(t -> t >= lastOperation);
    }

    @Test
    void theWarmupRunsOncePerJvm() {
        initAll(workload("0.2"), 2).forEach(CompletableFuture::join);
        long after = CountingDb.READS.get() + CountingDb.UPDATES.get();
        initAll(workload("0.2"), 2).forEach(CompletableFuture::join);
        assertThat(CountingDb.READS.get() + CountingDb.UPDATES.get()).isEqualTo(after);
    }

    /** What ycsb.sh divides by the run's operations for the client's CPU per operation: the JVM's, growing. */
    @Test
    void theClientCpuIsThisJvmsAndGrowsWithWork() {
        long before = Warmup.processCpuNanos();
        long busyUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long spins = 0;
        while (System.nanoTime() < busyUntil) {
            spins++;
        }
        long after = Warmup.processCpuNanos();
        assertThat(spins).isPositive();
        assertThat(before).isPositive();
        // 200 ms of one thread spinning; the JVM's other threads only add to it.
        assertThat(after - before).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    }

    @Test
    void withoutWarmupSecondsNothingRuns() {
        initAll(workload(null), 3).forEach(CompletableFuture::join);
        assertThat(CountingDb.READS.get() + CountingDb.UPDATES.get() + CountingDb.OTHERS.get()).isZero();
    }

    @Test
    void aWarmupThatCannotStartFailsEveryInit() {
        CountingDb.failCreation = true;
        for (CompletableFuture<Long> init : initAll(workload("0.2"), 3)) {
            assertThatThrownBy(init::join).hasRootCauseMessage("no server");
        }
    }

    @Test
    void theWarmupMixMovesInsertsToReadsAndReadModifyWritesToUpdates() {
        Properties p = Warmup.warmupProperties(workload(null));
        assertThat(Double.parseDouble(p.getProperty(CoreWorkload.READ_PROPORTION_PROPERTY))).isEqualTo(0.75);
        assertThat(Double.parseDouble(p.getProperty(CoreWorkload.UPDATE_PROPORTION_PROPERTY))).isEqualTo(0.25);
        assertThat(p.getProperty(CoreWorkload.INSERT_PROPORTION_PROPERTY)).isEqualTo("0");
        assertThat(p.getProperty(CoreWorkload.READMODIFYWRITE_PROPORTION_PROPERTY)).isEqualTo("0");
    }
}
