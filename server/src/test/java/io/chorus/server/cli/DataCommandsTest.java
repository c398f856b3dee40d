package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chorus.server.EmbeddedCluster;
import io.chorus.server.MainAccess;
import io.chorus.storage.Durability;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code chorus get|put|delete} through picocli against a real 3-node cluster: output, exit codes, errors. */
class DataCommandsTest {

    private static EmbeddedCluster cluster;
    private static String host;

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16).start();
        host = "127.0.0.1:" + cluster.node(0).address().getPort();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private record Run(int code, String out, String err) {
        String context() {
            for (String line : out.split("\n")) {
                if (line.startsWith("context: ")) {
                    return line.substring("context: ".length()).trim();
                }
            }
            throw new AssertionError("no context in " + out);
        }
    }

    private static Run chorus(String... args) {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String[] withHost(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--host");
        all.add(2, host);
        return all.toArray(new String[0]);
    }

    @Test
    void putGetSiblingsResolveAndDelete() throws Exception {
        Run put = chorus(withHost("put", "cart", "apples"));
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out()).contains("apples");
        Run blind = chorus(withHost("put", "cart", "pears"));
        assertThat(blind.code()).isZero();
        Run get = chorus(withHost("get", "cart"));
        assertThat(get.out()).contains("apples", "pears", "(2 siblings");
        Run resolved = chorus(withHost("put", "cart", "apples,pears", "--context", get.context()));
        assertThat(resolved.code()).as(resolved.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(chorus(withHost("get", "cart", "--json")).out());
        assertThat(json.get("found").asBoolean()).isTrue();
        assertThat(json.get("siblings")).hasSize(1);
        assertThat(json.get("siblings").get(0).get("value").asText()).isEqualTo("apples,pears");
        Run delete = chorus(withHost("delete", "cart", "--context", json.get("context").asText()));
        assertThat(delete.code()).as(delete.err()).isZero();
        assertThat(chorus(withHost("get", "cart")).out()).contains("(not found)");
    }

    @Test
    void errorsAreOneLineWithTheExitCodesScriptsRelyOn() {
        Run badContext = chorus(withHost("put", "k", "v", "--context", "not-base64!"));
        assertThat(badContext.code()).isEqualTo(2);
        assertThat(badContext.err().strip().lines().count()).isEqualTo(1);
        Run refused = chorus(withHost("put", "k", "v", "--w", "5"));
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err().strip()).startsWith("chorus: BAD_REQUEST:").doesNotContain("\n");
        Run nobody = chorus("get", "--host", "127.0.0.1:1", "k");
        assertThat(nobody.code()).isEqualTo(1);
        assertThat(nobody.err().strip()).startsWith("chorus: UNAVAILABLE:").doesNotContain("\n");
        Run usage = chorus("put", "--host", host, "only-a-key");
        assertThat(usage.code()).isEqualTo(2);
    }
}
