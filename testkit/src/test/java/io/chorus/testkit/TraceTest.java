package io.chorus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TraceTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();

    @Test
    void linesAreStampedWithVirtualTime() {
        Trace trace = new Trace(scheduler.clock(), 10);
        trace.record("start");
        scheduler.schedule(() -> trace.record("later"), 1_234_567, TimeUnit.NANOSECONDS);
        scheduler.runUntilIdle();

        assertThat(trace.lines()).containsExactly("0.000000 start", "1.234567 later");
    }

    @Test
    void onlyTheTailIsKeptButTheDigestCoversEverything() {
        Trace trace = new Trace(scheduler.clock(), 3);
        Trace other = new Trace(scheduler.clock(), 3);
        trace.record("first");
        other.record("a different first");
        for (String line : new String[] {"b", "c", "d", "e"}) {
            trace.record(line);
            other.record(line);
        }

        assertThat(trace.lines()).containsExactly("0.000000 c", "0.000000 d", "0.000000 e");
        assertThat(trace.size()).isEqualTo(5);
        assertThat(other.lines()).isEqualTo(trace.lines());
        assertThat(other.digest()).isNotEqualTo(trace.digest());
    }

    @Test
    void takingADigestDoesNotDisturbTheRunningOne() {
        Trace once = new Trace(scheduler.clock(), 0);
        Trace twice = new Trace(scheduler.clock(), 0);
        once.record("x");
        twice.record("x");
        twice.digest();
        once.record("y");
        twice.record("y");

        assertThat(twice.digest()).isEqualTo(once.digest()).hasSize(64);
        assertThat(once.lines()).isEmpty();
    }
}
