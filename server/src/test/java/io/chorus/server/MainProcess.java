package io.chorus.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code chorus} command as a user runs it: {@link Main} in a child JVM on this test's class path (the shaded
 * jar is built after the tests run), with the java binary and LMDB flags of the other process tests. Stateless.
 */
final class MainProcess {

    /** What a finished command left: its exit code and both streams. */
    record Result(int exit, String out, String err) {
    }

    private MainProcess() {
    }

    /** The command line that runs {@code chorus ARGS...}; the JIT kept to C1, as short commands start faster so. */
    static List<String> command(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(ChildNodes.JVM_FLAGS);
        command.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        return command;
    }

    /** Starts {@code chorus ARGS...} with its output in {@code out} (appended) and the given environment. */
    static Process start(List<String> args, Path out, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs {@code chorus ARGS...} to its end (killed by pid if it takes over a minute). */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "cli", ".out");
        Path err = Files.createTempFile(dir, "cli", ".err");
        Process p = new ProcessBuilder(command(List.of(args))).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("chorus " + String.join(" ", args) + " did not end within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
