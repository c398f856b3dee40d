package io.chorus.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Stats records bound as gauges, and the registry flattened for STATS. */
class RecordGaugesTest {

    public record Part(long keysMoved, int inFlight, long waitedNanos, Map<Integer, Long> lastSyncMillis,
            Map<String, Kind> kinds, String label) {
    }

    public record Kind(long granted, int inUse) {
    }

    @Test
    void eachNumericComponentIsAGaugeNamedAfterItAndReadLive() {
        MetricRegistry registry = new MetricRegistry();
        AtomicReference<Part> now = new AtomicReference<>(new Part(5, 2, 3_000_000, Map.of(7, 1234L),
                Map.of("hints", new Kind(9, 1)), "ignored"));
        RecordGauges.register(registry, "x", Part.class, now::get);
        assertThat(RegistryStats.of(registry)).containsExactlyInAnyOrderEntriesOf(Map.of("x.keys_moved", 5L,
                "x.in_flight", 2L, "x.waited_ms", 3L, "x.last_sync_ms.p7", 1234L, "x.kinds.hints.granted", 9L,
                "x.kinds.hints.in_use", 1L));
        now.set(new Part(6, 0, 0, Map.of(), Map.of(), ""));
        assertThat(RegistryStats.of(registry)).containsEntry("x.keys_moved", 6L).doesNotContainKey("x.last_sync_ms.p7");
    }

    @Test
    void aReportReadsEachRecordOnceAndSingleGaugesReadItFresh() {
        MetricRegistry registry = new MetricRegistry();
        SnapshotScope scope = new SnapshotScope();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        RecordGauges.register(registry, "x", Part.class, () -> {
            int n = reads.incrementAndGet();
            return new Part(n, n, 0, Map.of(), Map.of(), "");
        }, scope);
        Map<String, Long> report = scope.during(() -> RegistryStats.of(registry));
        assertThat(reads).hasValue(1);
        // One moment for the whole record: both components from the same snapshot.
        assertThat(report.get("x.keys_moved")).isEqualTo(report.get("x.in_flight"));
        assertThat(registry.getGauges().get("x.keys_moved").getValue()).isEqualTo(2L);
        assertThat(reads).hasValue(2);
    }

    @Test
    void aPartNotRunningIsLeftOut() {
        MetricRegistry registry = new MetricRegistry();
        RecordGauges.register(registry, "x", Part.class, () -> null);
        registry.counter("y.count_me").inc(3);
        assertThat(RegistryStats.of(registry)).containsExactly(Map.entry("y.count_me", 3L));
    }

    @Test
    void timersAndHistogramsBecomeCountsRatesAndPercentiles() {
        MetricRegistry registry = new MetricRegistry();
        registry.timer("t").update(1_500, java.util.concurrent.TimeUnit.MICROSECONDS);
        registry.histogram("h").update(4);
        Map<String, Long> stats = RegistryStats.of(registry);
        assertThat(stats).containsEntry("t.count", 1L).containsEntry("t.max_us", 1_500L)
                .containsEntry("t.p50_us", 1_500L).containsKeys("t.rate_1m", "t.p99_us", "t.p999_us")
                .containsEntry("h.count", 1L).containsEntry("h.max", 4L).containsEntry("h.p50", 4L);
    }

    @Test
    void namesFollowTheComponents() {
        assertThat(RecordGauges.metricName("hintsStored")).isEqualTo("hints_stored");
        assertThat(RecordGauges.metricName("throttledNanos")).isEqualTo("throttled_ms");
        assertThat(RecordGauges.metricName("lastSyncMillis")).isEqualTo("last_sync_ms");
        assertThat(RecordGauges.metricName("rounds")).isEqualTo("rounds");
    }
}
