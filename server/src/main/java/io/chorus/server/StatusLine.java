package io.chorus.server;

import java.io.PrintStream;
import java.util.List;

/**
 * The live status line of {@code chorus cluster}: what a {@link Snapshot} says, in one line, and how it reaches the
 * screen. On a terminal the line is redrawn in place ({@code \r}), so it does not scroll the endpoints away; piped
 * into a file or a test, a line is printed only when it changes, so the output stays a readable log. Notes (a node
 * exited) are printed above it. Thread-safe: the status loop and process-exit callbacks both print.
 */
final class StatusLine {

    /**
     * The cluster as one node sees it.
     *
     * @param answered whether any node answered at all (false: the rest is meaningless)
     * @param up       members in the ring and held alive
     * @param total    members not removed
     * @param moving   partitions moving (the most any node reports)
     * @param hints    hints held for other nodes, summed over the members that answered
     * @param notUp    names of the members that are not up and alive, with their status
     */
    record Snapshot(boolean answered, int up, int total, long moving, long hints, List<String> notUp) {
        Snapshot {
            notUp = List.copyOf(notUp);
        }

        static Snapshot unreachable() {
            return new Snapshot(false, 0, 0, 0, 0, List.of());
        }

        /** Formed: every member up, no partition moving. */
        boolean formed(int expected) {
            return answered && total == expected && up == expected && moving == 0;
        }
    }

    private final PrintStream out;
    private final boolean terminal;
    private String shown = "";

    StatusLine(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** The line for a snapshot; pure, so that tests can check every case. */
    static String render(Snapshot s) {
        if (!s.answered()) {
            return "status: no node answers";
        }
        StringBuilder line = new StringBuilder("status: ").append(s.up()).append('/').append(s.total())
                .append(" nodes up");
        if (!s.notUp().isEmpty()) {
            line.append(" (").append(String.join(", ", s.notUp())).append(')');
        }
        line.append(s.moving() == 0 ? ", ring settled" : ", " + s.moving() + " partitions moving");
        line.append(", hint backlog ").append(s.hints());
        return line.toString();
    }

    /** Shows the line: redrawn on a terminal, printed when it changed otherwise. */
    synchronized void show(String line) {
        if (terminal) {
            // Pad with blanks over what a longer previous line left on the screen.
            out.print("\r" + line + " ".repeat(Math.max(0, shown.length() - line.length())));
            out.flush();
        } else if (!line.equals(shown)) {
            out.println(line);
            out.flush();
        }
        shown = line;
    }

    /** A line of its own above the status line, which is drawn again below it on a terminal. */
    synchronized void note(String text) {
        if (terminal && !shown.isEmpty()) {
            out.print("\r" + " ".repeat(shown.length()) + "\r");
        }
        out.println(text);
        if (terminal && !shown.isEmpty()) {
            out.print(shown);
        }
        out.flush();
    }

    /** Ends the line on a terminal, so that what is printed next starts on a line of its own. */
    synchronized void finish() {
        if (terminal && !shown.isEmpty()) {
            out.println();
            out.flush();
        }
        shown = "";
    }
}
