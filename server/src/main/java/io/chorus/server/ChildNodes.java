package io.chorus.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The node processes of {@code chorus cluster --processes}: each one {@code chorus node --config DIR/node-i/node.yaml}
 * in a JVM of its own, started with this JVM's java binary, class path and LMDB flags, and told this process's
 * pid ({@code --parent-pid}) so that it stops when this process ends, even by SIGKILL. A child that exits while
 * the cluster runs is reported with the command that starts it again. Thread-safe: started once, exits reported
 * from process-exit callbacks, closed from the shutdown hook.
 */
final class ChildNodes implements AutoCloseable {

    static final List<String> JVM_FLAGS = List.of("--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");
    private static final long STOP_SECONDS = 30;

    private final LocalClusterLayout layout;
    private final Process[] processes;
    private final Consumer<String> notes;
    private volatile boolean stopping;

    private ChildNodes(LocalClusterLayout layout, Consumer<String> notes) {
        this.layout = layout;
        this.processes = new Process[layout.nodes()];
        this.notes = notes;
    }

    /** Writes every node's config and starts every node; a note is printed for each that exits before close. */
    static ChildNodes start(LocalClusterLayout layout, Consumer<String> notes) throws IOException {
        ChildNodes children = new ChildNodes(layout, notes);
        try {
            for (int i = 1; i <= layout.nodes(); i++) {
                children.launch(i);
            }
            return children;
        } catch (IOException | RuntimeException e) {
            children.close();
            throw e;
        }
    }

    private void launch(int i) throws IOException {
        Files.createDirectories(layout.nodeDir(i));
        Files.writeString(layout.config(i), layout.yaml(i));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(nodeArguments(i));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.log(i).toFile())).start();
        processes[i - 1] = p;
        p.onExit().thenAccept(exited -> {
            if (!stopping) {
                notes.accept(LocalClusterLayout.name(i) + " (pid " + exited.pid() + ") exited with code "
                        + exited.exitValue() + "; the cluster keeps running. Start it again with:\n  "
                        + restartCommand(i));
            }
        });
    }

    private List<String> nodeArguments(int i) {
        return List.of("node", "--config", layout.config(i).toString(),
                "--parent-pid", Long.toString(ProcessHandle.current().pid()));
    }

    /**
     * The shell command that starts node i again on its config and data, logging where it did, and stopping with
     * this cluster as it did. Its launcher is {@code ./chorus} when that script started this process (it says so
     * in {@code CHORUS_LAUNCHER}), otherwise the java command that runs this jar or class path.
     */
    String restartCommand(int i) {
        List<String> words = new ArrayList<>();
        String launcher = System.getenv("CHORUS_LAUNCHER");
        String classPath = System.getProperty("java.class.path");
        if (launcher != null && !launcher.isBlank()) {
            words.add(launcher);
        } else {
            words.add("java");
            words.addAll(JVM_FLAGS);
            boolean jar = classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator);
            words.addAll(jar ? List.of("-jar", classPath) : List.of("-cp", classPath, Main.class.getName()));
        }
        words.addAll(nodeArguments(i));
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            line.append(line.length() > 0 ? " " : "").append(shellWord(w));
        }
        return line + " >> " + shellWord(layout.log(i).toString()) + " 2>&1 &";
    }

    static String shellWord(String w) {
        return SHELL_SAFE.matcher(w).matches() ? w : "'" + w.replace("'", "'\\''") + "'";
    }

    Process process(int i) {
        return processes[i - 1];
    }

    /** The first child that has exited, as a line with the end of its log, or null while all run. */
    String exitedChild() throws IOException {
        for (int i = 1; i <= processes.length; i++) {
            Process p = processes[i - 1];
            if (p != null && !p.isAlive()) {
                List<String> log = Files.readAllLines(layout.log(i));
                String last = log.isEmpty() ? "(its log is empty)" : log.get(log.size() - 1);
                return LocalClusterLayout.name(i) + " exited with code " + p.exitValue() + ": " + last + " (log: "
                        + layout.log(i) + ")";
            }
        }
        return null;
    }

    /** SIGTERM to every child (a clean stop), then SIGKILL to any still running after the deadline. */
    @Override
    public void close() {
        stopping = true;
        for (Process p : processes) {
            if (p != null) {
                p.destroy();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
        for (Process p : processes) {
            if (p == null) {
                continue;
            }
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
