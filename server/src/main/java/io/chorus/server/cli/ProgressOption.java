package io.chorus.server.cli;

import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --progress=auto|bar|plain|none}, the option every long command shares (a mixin). */
public final class ProgressOption {

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "auto|bar|plain|none",
            description = "How to show progress on stderr: a bar redrawn in place (bar), a line every few seconds "
                    + "(plain), nothing (none); auto: bar on a terminal, plain otherwise (default: ${DEFAULT-VALUE}).")
    String progress;

    Progress.Mode mode() {
        try {
            return Progress.resolve(Progress.Mode.valueOf(progress.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            // Main turns this into one line and exit 2, as for any bad argument.
            throw new IllegalArgumentException("--progress must be auto, bar, plain or none, not '" + progress + "'");
        }
    }

    /** A reporter on the system's monotonic clock (its tests drive {@link Progress} with a fake one). */
    Progress start(String label, String unit, long total, PrintWriter err) {
        return new Progress(label, unit, total, mode(), err, System::nanoTime);
    }
}
