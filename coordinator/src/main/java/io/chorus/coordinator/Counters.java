package io.chorus.coordinator;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link CoordinatorStats}. Thread-safe (adders). */
final class Counters {

    final LongAdder forwards = new LongAdder();
    final LongAdder readRepairs = new LongAdder();
    final LongAdder hintsStored = new LongAdder();
    final LongAdder hintsDelivered = new LongAdder();
    final LongAdder hintsDropped = new LongAdder();
    final LongAdder quorumFailures = new LongAdder();
    final LongAdder speculativeReads = new LongAdder();
    final LongAdder readsWidened = new LongAdder();
    final LongAdder backgroundReadRepairChecks = new LongAdder();
    final LongAdder backgroundReadRepairs = new LongAdder();

    CoordinatorStats snapshot() {
        return snapshot(0);
    }

    /** With the speculative delay a read would use now, which is not a counter. */
    CoordinatorStats snapshot(long speculativeDelayMillis) {
        return new CoordinatorStats(forwards.sum(), readRepairs.sum(), hintsStored.sum(), hintsDelivered.sum(),
                hintsDropped.sum(), quorumFailures.sum(), speculativeReads.sum(), readsWidened.sum(),
                backgroundReadRepairChecks.sum(), backgroundReadRepairs.sum(), speculativeDelayMillis);
    }
}
