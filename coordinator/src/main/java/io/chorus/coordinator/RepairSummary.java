package io.chorus.coordinator;

import java.util.List;

/** What an on-demand repair did: one report per (partition, peer) sync, and totals. Immutable. */
public record RepairSummary(List<SyncReport> syncs, long tookNanos) {

    public RepairSummary {
        syncs = List.copyOf(syncs);
    }

    public long partitions() {
        return syncs.stream().mapToInt(SyncReport::partition).distinct().count();
    }

    public long count(SyncReport.Outcome outcome) {
        return syncs.stream().filter(s -> s.outcome() == outcome).count();
    }

    public long segmentsDiffering() {
        return syncs.stream().mapToLong(SyncReport::segmentsDiffering).sum();
    }

    public long keysFetched() {
        return syncs.stream().mapToLong(SyncReport::keysFetched).sum();
    }

    public long keysPushed() {
        return syncs.stream().mapToLong(SyncReport::keysPushed).sum();
    }

    public long bytesSent() {
        return syncs.stream().mapToLong(SyncReport::bytesSent).sum();
    }

    public long bytesReceived() {
        return syncs.stream().mapToLong(SyncReport::bytesReceived).sum();
    }
}
