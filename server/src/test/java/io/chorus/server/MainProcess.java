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
        return command(args, List.of("-XX:TieredStopAtLevel=1"));
    }

    private static List<String> command(List<String> args, List<String> jit) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(ChildNodes.JVM_FLAGS);
        command.add("-Xmx256m");
        command.addAll(jit);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
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

    /**
     * Starts {@code chorus ARGS...}, a long-lived node, with the JVM options {@code jvm}, in the working directory
     * {@code dir} (its relative paths resolve there), its output appended to {@code out}, with exactly the client
     * settings of {@code env} ({@link #clean}). With the whole JIT, as a node runs for real: one that checks passwords
     * runs PBKDF2 for every client connection, which C1 alone makes about three times slower.
     */
    static Process start(Path dir, List<String> jvm, List<String> args, Path out, Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args, jvm)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        clean(pb.environment()).putAll(env);
        return pb.start();
    }

    /**
     * Runs {@code chorus ARGS...} to its end in the working directory {@code dir}, where its output files go too,
     * with exactly the client settings of {@code env} ({@link #clean}); killed by pid if it takes over a minute.
     */
    static Result run(Path dir, Map<String, String> env, List<String> args) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(dir.toFile());
        clean(pb.environment()).putAll(env);
        return run(pb, dir, String.join(" ", args));
    }

    /**
     * The environment without the variables the CLI takes credentials and TLS files from, so that a command's
     * user, password and CA are those a test gives it, not whatever the shell that started the build exported.
     */
    private static Map<String, String> clean(Map<String, String> env) {
        env.keySet().removeAll(List.of("CHORUS_USER", "CHORUS_PASSWORD", "CHORUS_NEW_PASSWORD", "CHORUS_PASSWORD_FILE",
                "CHORUS_CA", "CHORUS_CERT", "CHORUS_KEY"));
        return env;
    }

    /** Runs {@code chorus ARGS...} to its end (killed by pid if it takes over a minute). */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command(List.of(args))), dir, String.join(" ", args));
    }

    private static Result run(ProcessBuilder pb, Path dir, String what) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "cli", ".out");
        Path err = Files.createTempFile(dir, "cli", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("chorus " + what + " did not end within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
