package io.chorus.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher ({@link Main}) in a child JVM: a whole cluster in a process of its own, on ephemeral ports, that a
 * test can starve of heap or kill -9. Its output goes to a file the test can search. {@link #close()} kills it by
 * PID and waits for it; use it in try-with-resources so that it always runs. Not thread-safe.
 */
final class ChildCluster implements AutoCloseable {

    private static final Pattern NODE_LINE = Pattern.compile("^\\s+(node-\\d+)\\s+([\\d.]+):(\\d+)$");

    private final Process process;
    private final Path log;
    private final List<InetSocketAddress> addresses;

    private ChildCluster(Process process, Path log, List<InetSocketAddress> addresses) {
        this.process = process;
        this.log = log;
        this.addresses = addresses;
    }

    /** Starts {@code nodes} nodes on the data in {@code dataDir} with the given heap, and waits until they serve. */
    static ChildCluster start(int nodes, Path dataDir, String heap, String... options) throws IOException {
        Path log = Files.createTempFile(dataDir.getParent(), "child-cluster", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx" + heap,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                Integer.toString(nodes), dataDir.toString(), "--port=0"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive()
                    || Files.readString(log).contains("Connect with"));
            if (!process.isAlive()) {
                throw new IllegalStateException("the child cluster exited at start:\n" + Files.readString(log));
            }
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (String line : Files.readAllLines(log)) {
                Matcher m = NODE_LINE.matcher(line);
                if (m.matches()) {
                    addresses.add(new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3))));
                }
            }
            if (addresses.size() != nodes) {
                throw new IllegalStateException("expected " + nodes + " node addresses in:\n" + Files.readString(log));
            }
            return new ChildCluster(process, log, List.copyOf(addresses));
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
    }

    List<InetSocketAddress> addresses() {
        return addresses;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the child printed so far. */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed beyond what already was. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("child " + process.pid() + " did not die");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
