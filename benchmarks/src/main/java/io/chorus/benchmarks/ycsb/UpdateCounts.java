package io.chorus.benchmarks.ycsb;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the binding's read-modify-write updates cost in requests, for the whole JVM (warm-up included): how many
 * reads they made of their own (none when the thread had just read the key) and how many writes, a write more
 * each time the answer showed a concurrent writer's sibling. On a zipfian workload the hot keys are written by
 * several threads at once, and each such conflict costs a write and a round trip more. Printed on stderr as the
 * JVM exits, {@code chorus updates: ...}, which {@code ycsb.sh} shows with the run's figures.
 */
final class UpdateCounts {

    static final LongAdder UPDATES = new LongAdder();
    static final LongAdder READS = new LongAdder();
    static final LongAdder WRITES = new LongAdder();
    static final LongAdder CONFLICTS = new LongAdder();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long updates = UPDATES.sum();
            if (updates > 0) {
                System.err.print(line(updates, READS.sum(), WRITES.sum(), CONFLICTS.sum()));
            }
        }, "chorus-update-counts"));
    }

    private UpdateCounts() {
    }

    static String line(long updates, long reads, long writes, long conflicts) {
        return String.format(Locale.ROOT, "chorus updates: %d updates, %d reads of their own, %d writes"
                + " (%.3f per update), %d answers with a concurrent sibling%n", updates, reads, writes,
                (double) writes / updates, conflicts);
    }
}
