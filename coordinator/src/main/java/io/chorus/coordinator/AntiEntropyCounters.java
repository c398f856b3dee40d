package io.chorus.coordinator;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link AntiEntropyStats}. Thread-safe (adders). */
final class AntiEntropyCounters {

    final LongAdder exchanges = new LongAdder();
    final LongAdder inSync = new LongAdder();
    final LongAdder repaired = new LongAdder();
    final LongAdder deferred = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder hashesCompared = new LongAdder();
    final LongAdder segmentsDiffering = new LongAdder();
    final LongAdder keysFetched = new LongAdder();
    final LongAdder keysPushed = new LongAdder();
    /** As a responder: states sent in AE_FETCH replies and merged from AE_PUSH requests. */
    final LongAdder keysSent = new LongAdder();
    final LongAdder keysReceived = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder tombstonesPurged = new LongAdder();
    final LongAdder collectionRounds = new LongAdder();

    void add(SyncReport r) {
        exchanges.increment();
        switch (r.outcome()) {
            case IN_SYNC -> inSync.increment();
            case REPAIRED -> repaired.increment();
            case DEFERRED -> deferred.increment();
            case FAILED -> failed.increment();
        }
        hashesCompared.add(r.hashesCompared());
        segmentsDiffering.add(r.segmentsDiffering());
        keysFetched.add(r.keysFetched());
        keysPushed.add(r.keysPushed());
        bytesSent.add(r.bytesSent());
        bytesReceived.add(r.bytesReceived());
    }
}
