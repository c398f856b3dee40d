package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The status line's rendering and throttle, on a fake clock. */
class ProgressTest {

    private long now = 1_000_000_000L; // not zero: nothing may assume the clock starts there
    private final StringWriter text = new StringWriter();

    private Progress progress(Progress.Mode mode, long total) {
        return new Progress("load", "records", total, mode, new PrintWriter(text), () -> now);
    }

    private void advanceMillis(long ms) {
        now += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void barShowsPercentCountRateAndEta() {
        Progress p = progress(Progress.Mode.BAR, 10_000);
        advanceMillis(2_000);
        p.update(5_200);
        // 2600/s over 2 s; 4800 left at that rate is 1.85 s, shown rounded up.
        assertThat(text.toString()).isEqualTo("\rload [##########----------] 52% 5200/10000 records 2600/s ETA 2s");
    }

    @Test
    void unknownTotalShowsCountAndRateOnly() {
        Progress p = progress(Progress.Mode.BAR, Progress.UNKNOWN);
        advanceMillis(4_000);
        p.update(6, "from stdin");
        assertThat(text.toString()).isEqualTo("\rload 6 records 1.5/s  from stdin");
    }

    @Test
    void barRedrawsAtMostTenTimesASecondAndEndsItsLine() {
        Progress p = progress(Progress.Mode.BAR, 1_000);
        for (int i = 1; i <= 1_000; i++) {
            advanceMillis(1); // 1000 updates over one second
            p.update(i);
        }
        long redraws = text.toString().chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(10L, 11L);
        assertThat(text.toString()).doesNotContain("\n");
        p.finish();
        // The last line is shorter (no ETA): spaces wipe the tail of the one before.
        assertThat(text.toString()).matches("(?s).*\r\\S+ \\[#{20}\\] 100% 1000/1000 records 1000/s {5}\n");
    }

    @Test
    void aShorterLineWipesTheTailOfTheLongerOne() {
        Progress p = progress(Progress.Mode.BAR, Progress.UNKNOWN);
        advanceMillis(1_000);
        p.update(1, "a long note here");
        advanceMillis(1_000);
        p.update(2, "");
        String second = text.toString().substring(text.toString().lastIndexOf('\r') + 1);
        assertThat(second).startsWith("load 2 records 1.0/s")
                .hasSize("load 1 records 1.0/s  a long note here".length());
    }

    @Test
    void plainPrintsALineEveryFewSecondsAndAtTheEndWithoutCarriageReturns() {
        Progress p = progress(Progress.Mode.PLAIN, 100);
        for (int i = 1; i <= 100; i++) {
            advanceMillis(200); // 20 s in all: a line each 5 s
            p.update(i);
        }
        p.finish();
        String out = text.toString();
        assertThat(out).doesNotContain("\r").doesNotContain("[");
        // At 5, 10, 15 and 20 s; the end adds no copy of the 20 s line.
        assertThat(out.lines()).hasSize(4).first().asString().isEqualTo("load 25% 25/100 records 5.0/s ETA 15s");
        assertThat(out.lines().reduce((a, b) -> b)).hasValue("load 100% 100/100 records 5.0/s");
    }

    @Test
    void plainWorkDoneQuicklyPrintsOnlyItsLastLine() {
        Progress p = progress(Progress.Mode.PLAIN, 3);
        advanceMillis(100);
        p.update(3);
        p.finish();
        assertThat(text.toString()).isEqualTo("load 100% 3/3 records 30/s\n");
    }

    @Test
    void aResultLineGoesAboveTheBar() {
        Progress p = progress(Progress.Mode.BAR, 2);
        StringWriter results = new StringWriter();
        p.update(0);
        text.getBuffer().setLength(0);
        advanceMillis(1_000);
        p.update(1, "node-2");
        p.println(new PrintWriter(results), "node-1: done");
        assertThat(results.toString()).isEqualTo("node-1: done\n");
        // The bar was wiped before the line and drawn again after it.
        assertThat(text.toString()).contains("\r" + " ".repeat(5)).endsWith("1/2 records 1.0/s ETA 1s  node-2");
    }

    @Test
    void noneShowsNothing() {
        Progress p = progress(Progress.Mode.NONE, 10);
        advanceMillis(10_000);
        p.update(5);
        p.finish();
        assertThat(text.toString()).isEmpty();
    }

    @Test
    void durationsAreAsPreciseAsAPersonReadsThem() {
        assertThat(Progress.duration(0.2)).isEqualTo("1s");
        assertThat(Progress.duration(245)).isEqualTo("4m05s");
        assertThat(Progress.duration(7_625)).isEqualTo("2h07m");
    }
}
