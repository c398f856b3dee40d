package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chorus.server.MainProcess.Result;
import io.chorus.storage.Durability;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data commands as processes, as a user or a script sees them: exit codes, one-line errors without a stack
 * trace, and {@code --json} that a JSON parser reads. The cluster runs in this JVM (the commands are the subject).
 */
class CliProcessTest {

    private static EmbeddedCluster cluster;
    private static String host;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16).start();
        host = "127.0.0.1:" + cluster.node(0).address().getPort();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** One line on stderr, nothing on stdout, and no trace of a stack. */
    private static void assertOneLineError(Result r, int exit, String prefix) {
        assertThat(r.exit()).as(r.err()).isEqualTo(exit);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith(prefix).doesNotContain("\tat ", "Exception");
    }

    @Test
    void aWriteAndItsJsonRead() throws Exception {
        Result put = MainProcess.run(dir, "put", "--host", host, "cli-key", "cli-value");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.out()).contains("cli-value", "context: ");

        Result get = MainProcess.run(dir, "get", "--host", host, "cli-key", "--json");
        assertThat(get.exit()).as(get.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(get.out());
        assertThat(json.get("found").asBoolean()).isTrue();
        assertThat(json.get("siblings")).hasSize(1);
        assertThat(json.get("siblings").get(0).get("encoding").asText()).isEqualTo("utf8");
        assertThat(json.get("siblings").get(0).get("value").asText()).isEqualTo("cli-value");
        assertThat(json.get("context").asText()).isNotEmpty();

        Result missing = MainProcess.run(dir, "get", "--host", host, "no-such-key", "--json");
        assertThat(missing.exit()).isZero();
        JsonNode none = new ObjectMapper().readTree(missing.out());
        assertThat(none.get("found").asBoolean()).isFalse();
        assertThat(none.get("siblings")).isEmpty();
    }

    @Test
    void aRefusedRequestIsExitOneAndOneLineWithItsCode() throws Exception {
        assertOneLineError(MainProcess.run(dir, "put", "--host", host, "--w", "5", "k", "v"), 1,
                "chorus: BAD_REQUEST: w = 5 must be in 1..n = 3");
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort(); // free once closed: nothing listens there
        }
        assertOneLineError(MainProcess.run(dir, "get", "--host", "127.0.0.1:" + closed, "k"), 1,
                "chorus: UNAVAILABLE: ");
        // --verbose, on any command: the same line, then the stack trace.
        Result verbose = MainProcess.run(dir, "put", "--host", host, "--w", "5", "--verbose", "k", "v");
        assertThat(verbose.exit()).isEqualTo(1);
        List<String> lines = verbose.err().lines().toList();
        assertThat(lines.get(0)).startsWith("chorus: BAD_REQUEST: w = 5 must be in 1..n = 3");
        assertThat(lines).anyMatch(l -> l.strip().startsWith("at io.chorus."));
    }

    @Test
    void aUsageErrorIsExitTwo() throws IOException, InterruptedException {
        assertOneLineError(MainProcess.run(dir, "get", "--host", host, "--bogus", "k"), 2,
                "chorus: Unknown option: '--bogus'");
        assertOneLineError(MainProcess.run(dir, "put", "--host", host, "k"), 2,
                "chorus: give either VALUE or --file FILE");
        assertOneLineError(MainProcess.run(dir, "cluster", "--processes", "--port", "0"), 2,
                "chorus: --port must leave room");
    }
}
