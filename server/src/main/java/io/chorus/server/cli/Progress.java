package io.chorus.server.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How far a long command has got, on its status stream (stderr, so that stdout keeps only results). On a terminal
 * ({@link Mode#BAR}) one line redrawn in place with {@code \r}, at most {@value #BAR_REDRAWS_PER_SECOND} times a
 * second, such as {@code load [#####-----] 52% 5200/10000 records 1830/s ETA 3s}; elsewhere ({@link Mode#PLAIN})
 * the same line without the bar, at most every {@link #PLAIN_INTERVAL_NANOS} and once at the end, so a log file gets
 * a few lines instead of thousands of carriage returns. The time comes from the clock given, so tests drive it.
 *
 * <p>Not thread-safe: one thread (the command's) calls it, after reading counters other threads update.
 */
final class Progress {

    /** How progress is shown; {@link #AUTO} picks {@link #BAR} on a terminal and {@link #PLAIN} otherwise. */
    enum Mode { AUTO, BAR, PLAIN, NONE }

    static final int BAR_REDRAWS_PER_SECOND = 10;
    static final long BAR_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1) / BAR_REDRAWS_PER_SECOND;
    static final long PLAIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final int BAR_WIDTH = 20;
    /** Total for work whose size is not known (stdin): no bar, percentage or ETA. */
    static final long UNKNOWN = -1;

    private final String label;
    private final String unit;
    private final long total;
    private final Mode mode;
    private final PrintWriter out;
    private final LongSupplier nanos;
    private final long start;
    private long lastDraw;
    private boolean drawn;
    private int shownWidth;
    private long done;
    private String note = "";
    private long drawnDone = -1;
    private String drawnNote = "";

    /**
     * @param mode  not {@link Mode#AUTO}: resolve it first with {@link #resolve}
     * @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests)
     */
    Progress(String label, String unit, long total, Mode mode, PrintWriter out, LongSupplier nanos) {
        if (mode == Mode.AUTO) {
            throw new IllegalArgumentException("resolve AUTO before making a Progress");
        }
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.mode = mode;
        this.out = out;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    /** AUTO as this process sees its terminal: a console, and a TERM that can move the cursor back. */
    static Mode resolve(Mode asked) {
        if (asked != Mode.AUTO) {
            return asked;
        }
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return terminal ? Mode.BAR : Mode.PLAIN;
    }

    /** Records {@code doneSoFar} (and a note shown after the rate, e.g. "node-2") and redraws if it is time. */
    void update(long doneSoFar, String noteNow) {
        this.done = doneSoFar;
        this.note = noteNow == null ? "" : noteNow;
        long now = nanos.getAsLong();
        long interval = mode == Mode.BAR ? BAR_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS;
        // The first plain line waits one interval too: a command done in a few seconds prints only its last line.
        boolean due = (mode == Mode.BAR && !drawn) || now - (drawn ? lastDraw : start) >= interval;
        if (mode != Mode.NONE && due) {
            draw(now);
        }
    }

    void update(long doneSoFar) {
        update(doneSoFar, note);
    }

    /**
     * Prints a result line on {@code results} (stdout) without tearing the bar: the bar is wiped, the line
     * printed, the bar drawn again below it. Both streams are the same terminal when the bar shows.
     */
    void println(PrintWriter results, String line) {
        if (mode == Mode.BAR && drawn) {
            out.print("\r" + " ".repeat(shownWidth) + "\r");
            out.flush();
            results.println(line);
            results.flush();
            draw(nanos.getAsLong());
        } else {
            results.println(line);
            results.flush();
        }
    }

    /** Draws the last state whatever the throttle says and ends the bar's line. */
    void finish() {
        if (mode == Mode.NONE) {
            return;
        }
        // A plain line that already says where the work ended is not printed twice.
        if (mode == Mode.BAR || done != drawnDone || !note.equals(drawnNote)) {
            draw(nanos.getAsLong());
        }
        if (mode == Mode.BAR) {
            out.println();
            out.flush();
        }
    }

    private void draw(long now) {
        String line = line(now);
        if (mode == Mode.BAR) {
            // Pad over the tail of a longer line drawn before (a note that got shorter).
            String pad = line.length() < shownWidth ? " ".repeat(shownWidth - line.length()) : "";
            out.print("\r" + line + pad);
            shownWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
        drawn = true;
        lastDraw = now;
        drawnDone = done;
        drawnNote = note;
    }

    /** The status line at {@code now}, without the bar when there is no total or the output is plain. */
    String line(long now) {
        StringBuilder b = new StringBuilder(label);
        double seconds = (now - start) / 1e9;
        boolean known = total >= 0;
        if (known) {
            int pct = total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
            if (mode == Mode.BAR) {
                int filled = pct * BAR_WIDTH / 100;
                b.append(" [").append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append(']');
            }
            b.append(' ').append(pct).append("% ").append(done).append('/').append(total).append(' ').append(unit);
        } else {
            b.append(' ').append(done).append(' ').append(unit);
        }
        if (seconds > 0) {
            double rate = done / seconds;
            b.append(' ').append(rate(rate)).append("/s");
            if (known && done > 0 && done < total) {
                b.append(" ETA ").append(duration((total - done) / rate));
            }
        }
        if (!note.isEmpty()) {
            b.append("  ").append(note);
        }
        return b.toString();
    }

    static String rate(double perSecond) {
        return perSecond < 10 ? String.format(Locale.ROOT, "%.1f", perSecond) : String.valueOf(Math.round(perSecond));
    }

    /** 3s, 4m05s, 2h07m: as precise as a person reads an ETA. */
    static String duration(double seconds) {
        long s = (long) Math.ceil(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
