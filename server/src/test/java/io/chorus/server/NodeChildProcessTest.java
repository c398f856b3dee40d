package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chorus node} as the real process it is meant to be: {@link Main} in a child JVM on this test's class
 * path (the shaded jar is built after the tests run), stopped by SIGTERM as an operator would, and always killed by
 * its pid in a finally block.
 */
class NodeChildProcessTest {

    private static final Pattern STARTED = Pattern.compile("Chorus node db1 of cluster test \\(generation (\\d+)\\):"
            + " clients on 127\\.0\\.0\\.1:(\\d+), peers on 127\\.0\\.0\\.1:(\\d+);");

    private static Process launch(Path dir, String name, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "node"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private static void kill(Process p) {
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aConfigErrorIsOneLineOnStderrAndExitTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "node_name: db1\ndata_dir: data\nreplication:\n  n: 3\n  w: 4\n");
        Process p = launch(dir, "bad", "--config", file.toString());
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(Files.readString(dir.resolve("bad.err")))
                    .isEqualTo("config error: replication.w: 4 is more than n = 3" + System.lineSeparator());
        } finally {
            kill(p);
        }
    }

    @Test
    void aNodeServesUntilSigtermAndRestartsWithANewGeneration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.yaml");
        int peerPort = freePort();
        Files.writeString(file, "cluster_name: test\nnode_name: db1\ndata_dir: '" + dir.resolve("data") + "'\n"
                + "client_listen: 127.0.0.1:0\npeer_listen: 127.0.0.1:" + peerPort + "\npartitions: 16\n"
                + "seeds: [127.0.0.1:" + peerPort + "]\nauth:\n  anonymous: true\n");
        long firstGeneration = 0;
        for (String run : new String[] {"first", "second"}) {
            Process p = launch(dir, run, "--config", file.toString(), "--durability", "nosync");
            try {
                Path out = dir.resolve(run + ".out");
                await().atMost(Duration.ofSeconds(60)).until(() -> !p.isAlive()
                        || STARTED.matcher(Files.readString(out)).find());
                Matcher m = STARTED.matcher(Files.readString(out));
                assertThat(m.find()).as("stdout:\n%s\nstderr:\n%s", Files.readString(out),
                        Files.readString(dir.resolve(run + ".err"))).isTrue();
                long generation = Long.parseLong(m.group(1));
                assertThat(Integer.parseInt(m.group(3))).isEqualTo(peerPort);
                InetSocketAddress client = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2)));
                try (ChorusClient c = ChorusClient.connect(ClientConfig.builder(List.of(client)).build())) {
                    if (firstGeneration == 0) {
                        c.put(b("k"), b("v"), null);
                    }
                    assertThat(c.get(b("k")).values()).containsExactly(b("v"));
                }
                assertThat(generation).isGreaterThan(firstGeneration);
                firstGeneration = generation;
                p.destroy();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
                // The store saves its hash trees only at a clean close: the shutdown hook stopped the node.
                assertThat(dir.resolve("data").resolve("hashtrees.bin")).exists();
            } finally {
                kill(p);
            }
        }
        assertThat(NodeIdentity.read(dir.resolve("data")).orElseThrow().generation()).isEqualTo(firstGeneration);
    }
}
