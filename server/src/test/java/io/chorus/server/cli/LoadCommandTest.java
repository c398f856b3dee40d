package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.server.EmbeddedCluster;
import io.chorus.server.MainAccess;
import io.chorus.storage.Durability;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code chorus load} through picocli against a real 3-node cluster: what it writes, its summary, its exits. */
class LoadCommandTest {

    private static EmbeddedCluster cluster;
    private static ChorusClient reader;
    private static String host;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16).start();
        reader = cluster.client();
        host = "127.0.0.1:" + cluster.node(2).address().getPort();
    }

    @AfterAll
    static void stop() {
        reader.close();
        cluster.close();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run load(String... args) {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("load", "--host", host, "--progress", "plain"));
        all.addAll(List.of(args));
        return new Run(cl.execute(all.toArray(new String[0])), out.toString(), err.toString());
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static ChorusObject get(String key) {
        return get(key.getBytes(StandardCharsets.UTF_8));
    }

    private static ChorusObject get(byte[] key) {
        return reader.get(key);
    }

    private static List<String> values(String key) {
        return get(key).values().stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aTsvFileIsWrittenWholeWithASummary() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            text.append("tsv-").append(i).append('\t').append("value ").append(i).append("\twith a tab\n");
            if (i == 100) {
                text.append('\n'); // skipped, and still a line of the progress
            }
        }
        Run run = load(file("records.tsv", text.toString()).toString(), "--concurrency", "8");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("loaded 300 records, 0 failed, ");
        assertThat(run.err()).contains("load 100% 301/301 records").doesNotContain("\r");
        for (int i = 0; i < 300; i += 37) {
            assertThat(values("tsv-" + i)).containsExactly("value " + i + "\twith a tab");
        }
    }

    @Test
    void aMalformedLineStopsTheLoadBeforeItAndNamesItsLine() throws Exception {
        Path f = file("bad.tsv", "bad-1\tone\nbad-2\ttwo\nbad-3 has no tab\nbad-4\tfour\n");
        Run run = load(f.toString(), "--concurrency", "1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.out()).startsWith("loaded 2 records, 0 failed");
        assertThat(run.err()).contains("chorus: line 3: malformed tsv record: no tab between key and value");
        assertThat(values("bad-2")).containsExactly("two");
        assertThat(get("bad-4").found()).isFalse();
    }

    @Test
    void jsonlTakesBase64KeysAndValues() throws Exception {
        Path f = file("records.jsonl", "{\"key\":\"json-text\",\"value\":\"line\\nbreak\"}\n"
                + "{\"key\":\"AP8B\",\"value\":\"/wA=\",\"base64\":true}\n");
        Run run = load(f.toString(), "--format", "jsonl");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("loaded 2 records, 0 failed");
        assertThat(values("json-text")).containsExactly("line\nbreak");
        ChorusObject binary = get(new byte[] {0, (byte) 0xff, 1});
        assertThat(binary.values()).hasSize(1);
        assertThat(binary.values().get(0)).containsExactly(0xff, 0);
    }

    @Test
    void recordsTheClusterRefusesAreCountedByCodeAndExitOne() throws Exception {
        Path f = file("refused.tsv", "w-1\ta\nw-2\tb\nw-3\tc\n");
        Run run = load(f.toString(), "--w", "5");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).startsWith("loaded 0 records, 3 failed (BAD_REQUEST 3)");
        assertThat(run.err()).contains("chorus: BAD_REQUEST: ").contains("(3 records; this one on line ");
        assertThat(get("w-1").found()).isFalse();
    }

    @Test
    void updateReplacesTheSiblingsThatBlindReloadsPileUp() throws Exception {
        Path f = file("again.tsv", "again\tv1\n");
        assertThat(load(f.toString()).code()).isZero();
        assertThat(load(f.toString()).code()).isZero();
        assertThat(values("again")).containsExactly("v1", "v1"); // blind writes: a sibling each
        Path g = file("again2.tsv", "again\tv2\n");
        Run update = load(g.toString(), "--update");
        assertThat(update.code()).as(update.err()).isZero();
        assertThat(values("again")).containsExactly("v2");
        assertThat(load(g.toString(), "--update").code()).isZero();
        assertThat(values("again")).containsExactly("v2");
    }

    @Test
    void standardInputHasNoTotalSoProgressCountsOnly() {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream("stdin-1\ta\nstdin-2\tb\n".getBytes(StandardCharsets.UTF_8)));
        try {
            Run run = load("-");
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.err()).contains("load 2 records").doesNotContain("%");
        } finally {
            System.setIn(before);
        }
        assertThat(values("stdin-2")).containsExactly("b");
    }

    @Test
    void helpSaysWhatAMalformedLineDoes() {
        Run help = load("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("A malformed line stops the load").contains("--update")
                .contains("--progress=auto|bar|plain|none");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path f = file("ok.tsv", "u\tv\n");
        assertThat(load(f.toString(), "--format", "csv").code()).isEqualTo(2);
        assertThat(load(f.toString(), "--concurrency", "0").code()).isEqualTo(2);
        assertThat(load(f.toString(), "--progress", "fancy").code()).isEqualTo(2);
        Run missing = load(dir.resolve("nope.tsv").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read");
        assertThat(load(dir.toString()).err()).contains("cannot read");
        assertThat(get("u").found()).isFalse();
    }
}
