package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.server.StatusLine.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status line's text for each kind of snapshot, and how it is drawn on a terminal and into a pipe. */
class StatusLineTest {

    @Test
    void rendersEachState() {
        assertThat(StatusLine.render(Snapshot.unreachable())).isEqualTo("status: no node answers");
        assertThat(StatusLine.render(new Snapshot(true, 3, 3, 0, 0, List.of())))
                .isEqualTo("status: 3/3 nodes up, ring settled, hint backlog 0");
        assertThat(StatusLine.render(new Snapshot(true, 1, 3, 256, 12, List.of("node-2 down", "node-3 joining"))))
                .isEqualTo("status: 1/3 nodes up (node-2 down, node-3 joining), 256 partitions moving,"
                        + " hint backlog 12");
    }

    @Test
    void formedNeedsEveryExpectedMemberUpAndNothingMoving() {
        assertThat(new Snapshot(true, 3, 3, 0, 5, List.of()).formed(3)).isTrue();
        assertThat(new Snapshot(true, 3, 3, 1, 0, List.of()).formed(3)).isFalse();
        assertThat(new Snapshot(true, 2, 2, 0, 0, List.of()).formed(3)).isFalse();
        assertThat(new Snapshot(true, 2, 3, 0, 0, List.of("node-3 down")).formed(3)).isFalse();
        assertThat(Snapshot.unreachable().formed(0)).isFalse();
    }

    @Test
    void aPipeGetsALineOnlyWhenItChanges() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StatusLine line = new StatusLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        line.show("a");
        line.show("a");
        line.note("node-2 exited");
        line.show("a");
        line.show("bb");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("a\nnode-2 exited\nbb\n");
    }

    @Test
    void aTerminalRedrawsInPlaceAndKeepsNotesAboveTheLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StatusLine line = new StatusLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        line.show("long line");
        line.show("short");
        line.note("note");
        line.finish();
        // "short" is padded over the rest of "long line"; the note clears the line, prints, and redraws it.
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("\rlong line" + "\rshort    "
                + "\r     \r" + "note\n" + "short" + "\n");
    }
}
