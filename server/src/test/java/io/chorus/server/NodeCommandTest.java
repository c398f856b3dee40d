package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.Clock;
import io.chorus.core.NodeId;
import io.chorus.server.config.NodeFileConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line in this JVM: flags over the file, and one line with a non-zero exit for each refusal. */
class NodeCommandTest {

    /** What one run of the command printed and returned. */
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertOneLine(Run run, int exit, String line) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(exit);
        assertThat(run.err()).isEqualTo(line + System.lineSeparator());
    }

    @Test
    void flagsOverrideTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "node_name: db1\ndata_dir: /data\nseeds: [a:7200]\ngossip:\n  interval: 2s\n");
        NodeCommand command = new NodeCommand();
        new CommandLine(command).parseArgs("--config", file.toString(), "--node-name", "db2", "--data-dir",
                dir.toString(), "--client-listen", "127.0.0.1:7300", "--peer-listen", "127.0.0.1:7301",
                "--seeds", "b:7201,c:7201", "--partitions", "64", "--durability", "nosync",
                "--set", "gossip.interval=500ms", "--set", "node_name=db3");
        NodeFileConfig c = command.fileConfig();
        assertThat(c.nodeName()).as("--set comes last").isEqualTo(NodeId.of("db3"));
        assertThat(c.dataDir()).isEqualTo(dir);
        assertThat(c.clientListen()).isEqualTo(new HostPort("127.0.0.1", 7300));
        assertThat(c.peerListen()).isEqualTo(new HostPort("127.0.0.1", 7301));
        assertThat(c.seeds()).containsExactly(new HostPort("b", 7201), new HostPort("c", 7201));
        assertThat(c.partitions()).isEqualTo(64);
        assertThat(c.gossip().interval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void checkPrintsTheSettingsAndExampleConfigTheExample(@TempDir Path dir) {
        Run check = run("node", "--node-name", "db1", "--data-dir", dir.toString(), "--set", "gossip.interval=2s",
                "--check");
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.out()).contains("node_name: \"db1\"\n").contains("  interval: 2s\n")
                .contains("  pause_threshold: 4s\n").contains("  anonymous: false\n");
        Run anonymous = run("node", "--node-name", "db1", "--data-dir", dir.toString(), "--anonymous", "--check");
        assertThat(anonymous.out()).contains("  anonymous: true\n");
        Run example = run("node", "--example-config");
        assertThat(example.exit()).isZero();
        assertThat(example.out()).isEqualTo(NodeCommand.exampleConfig()).contains("phi_threshold: 8");
    }

    @Test
    void configErrorsAreOneLineAndExitTwo(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.yaml");
        assertOneLine(run("node", "--config", missing.toString()), 2, "config error: " + missing + ": no such file");
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "node_name: db1\ndata_dir: /data\ngossip:\n  phi_treshold: 9\n");
        assertOneLine(run("node", "--config", file.toString()), 2,
                "config error: gossip.phi_treshold: unknown key (did you mean gossip.phi_threshold?)");
        assertOneLine(run("node", "--config", file.toString(), "--set", "gossip.phi_treshold"), 2,
                "chorus: --set takes KEY=VALUE, got 'gossip.phi_treshold' (see --help)");
        assertOneLine(run("node", "--node-name", "db1"), 2, "config error: data_dir: required (the directory of"
                + " this node's data: set it here or with --data-dir)");
        assertOneLine(run("node", "--node-name", "db1", "--data-dir", "d", "--client-listen", "0.0.0.0:7100"), 2,
                "config error: client_advertise: required when client_listen is the wildcard 0.0.0.0:7100: name"
                        + " the address others reach this node at");
        assertOneLine(run("node", "--bogus"), 2, "chorus: Unknown option: '--bogus' (see --help)");
    }

    @Test
    void aRefusedStartIsOneLineAndExitsOne(@TempDir Path dir) {
        NodeIdentity.loadOrCreate(dir, "chorus", NodeId.of("db1"), 256, Clock.system());
        assertOneLine(run("node", "--node-name", "db2", "--data-dir", dir.toString()), 1, "chorus: cannot start:"
                + " data_dir " + dir + " belongs to node db1 of cluster chorus, not to node db2: point data_dir"
                + " elsewhere, or wipe it to make a new node");
    }

    /** The embedded cluster of the README's quick start keeps its arguments. */
    @Test
    void theDefaultCommandKeepsTheEmbeddedClustersArguments() {
        assertOneLine(run("0"), 1, "chorus: cannot start: a cluster needs at least one node");
        assertOneLine(run("three"), 2, "chorus: Invalid value for positional parameter at index 0 (nodes):"
                + " 'three' is not an int (see --help)");
        assertOneLine(run("3", "dir", "--port=70000"), 1, "chorus: cannot start: port outside 0..65535: 70000");
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("[nodes]", "[data-dir]", "--port=PORT", "--nosync", "node");
    }
}
