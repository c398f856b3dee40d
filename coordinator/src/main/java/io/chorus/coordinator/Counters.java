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

    CoordinatorStats snapshot() {
        return new CoordinatorStats(forwards.sum(), readRepairs.sum(), hintsStored.sum(), hintsDelivered.sum(),
                hintsDropped.sum(), quorumFailures.sum());
    }
}
