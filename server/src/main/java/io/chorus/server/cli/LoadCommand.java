package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chorus load FILE}: writes one record a line, many in flight, with progress and a summary. */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false, description = {
    "Writes the records of FILE (- for stdin), one a line: tsv 'key<TAB>value' (UTF-8; the value is all after the "
        + "first tab), or jsonl {\"key\":\"...\",\"value\":\"...\"} with \"base64\":true for base64 key and value.",
    "Writes are blind (each adds a sibling to what the key holds) unless --update. Empty lines are skipped; a "
        + "line ends at \\n, \\r\\n or \\r, so a value with a line break needs jsonl.",
    "A malformed line stops the load: the records before it are written, nothing from it on is sent, and the "
        + "exit is 2 with its line number. Exit 1 when any record failed (the summary counts them by error code)."})
public final class LoadCommand implements Callable<Integer> {

    /** How often the command redraws while it waits for a free slot or for the last writes. */
    private static final long TICK_MILLIS = 100;

    @Mixin
    ClientOptions client;
    @Mixin
    ProgressOption progress;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The records, or - for standard input.")
    String file;

    @Option(names = "--format", defaultValue = "tsv", paramLabel = "tsv|jsonl",
            description = "The line format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--concurrency", defaultValue = "64", paramLabel = "N",
            description = "Writes in flight at most (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--update", description = "Read each key and replace every sibling with the new value "
            + "(read-modify-write), so that loading a file again does not pile up siblings.")
    boolean update;

    @Override
    public Integer call() throws IOException, InterruptedException {
        LoadFormat lines = format();
        progress.mode(); // a bad --progress is refused before anything is read or sent
        if (concurrency < 1) {
            throw new ParameterException(spec.commandLine(), "--concurrency must be at least 1");
        }
        boolean stdin = "-".equals(file);
        Path path = stdin ? null : Path.of(file);
        if (path != null && (!Files.isReadable(path) || Files.isDirectory(path))) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A regular file is counted first so the bar has a total; a pipe cannot be read twice.
        long total = path != null && Files.isRegularFile(path) ? countLines(path) : Progress.UNKNOWN;
        long start = System.nanoTime();
        try (ChorusClient c = client.connect(); BufferedReader in = reader(path)) {
            Progress bar = progress.start("load", "records", total, err);
            LoadSender sender = new LoadSender(c, client.request(), update, concurrency);
            long line = 0;
            long blank = 0;
            String malformed = null;
            while (true) {
                String text;
                try {
                    text = in.readLine();
                } catch (CharacterCodingException e) {
                    malformed = "line " + (line + 1) + ": not UTF-8";
                    break;
                }
                if (text == null) {
                    break;
                }
                line++;
                if (text.isEmpty()) {
                    blank++;
                    continue;
                }
                LoadFormat.Record record;
                try {
                    record = lines.parse(text);
                } catch (LoadFormat.Malformed e) {
                    malformed = "line " + line + ": malformed " + format + " record: " + e.getMessage();
                    break;
                }
                while (!sender.acquire(TICK_MILLIS)) {
                    bar.update(sender.completed() + blank);
                }
                sender.send(record, line);
                bar.update(sender.completed() + blank);
            }
            while (!sender.drain(TICK_MILLIS)) {
                bar.update(sender.completed() + blank);
            }
            bar.update(sender.completed() + blank);
            bar.finish();
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "loaded %d records, %d failed%s, %.1f s, %s records/s%n", sender.loaded(),
                    sender.failed(), sender.failedByCode(), seconds, Progress.rate(sender.completed() / seconds));
            out.flush();
            sender.failures().forEach((code, f) -> err.println("chorus: " + code + ": " + f.message() + " ("
                    + f.count() + " records; this one on line " + f.firstLine() + ")"));
            if (malformed != null) {
                err.println("chorus: " + malformed + "; nothing from it on was sent");
            }
            err.flush();
            return malformed != null ? 2 : sender.failed() > 0 ? 1 : 0;
        }
    }

    private LoadFormat format() {
        try {
            return LoadFormat.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be tsv or jsonl, not '" + format + "'");
        }
    }

    /** Text that is not UTF-8 fails the read (and so names its line) instead of loading replacement characters. */
    private static BufferedReader reader(Path path) throws IOException {
        if (path != null) {
            return Files.newBufferedReader(path, StandardCharsets.UTF_8);
        }
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    /** Lines as {@link BufferedReader#readLine} sees them: a last line without a newline counts. */
    static long countLines(Path path) throws IOException {
        long lines = 0;
        int last = '\n';
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                last = buf[n - 1];
            }
        }
        return last == '\n' ? lines : lines + 1;
    }
}
