package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chorus.server.MainProcess.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through, run as written against {@code chorus cluster --processes}, so that the README cannot
 * drift from the product: the block after {@code <!-- walkthrough -->} must hold exactly the commands of
 * {@link #STEPS}, each is run as a process ({@code ./chorus} becomes {@link Main} on this class path), its
 * {@code <...>} filled in from what came before, and what the README says of it is checked. Ports and the data
 * directory are the test's own; every process, the node processes included, is killed by pid in a finally block.
 */
class ReadmeWalkthroughTest {

    private static final Pattern NODE_LINE = Pattern.compile("^\\s+(node-\\d+)\\s+\\S+\\s+pid (\\d+)\\s+log .+$",
            Pattern.MULTILINE);
    private static final Pattern STATUS_ROW = Pattern.compile("^(node-\\d+)\\s+(\\S+)\\s+(yes|no)\\s",
            Pattern.MULTILINE);
    private static final Pattern README_PORT = Pattern.compile("127\\.0\\.0\\.1:710(\\d)");
    private static final Duration CONVICTION = Duration.ofSeconds(60);
    /** Each status poll is a JVM start: polled back to back, they would take the CPU the nodes convict with. */
    private static final Duration POLL = Duration.ofSeconds(1);

    /** The walk-through's commands, in order, as the README writes them (comments stripped). */
    static final List<String> STEPS = List.of(
            "./chorus cluster --processes",
            "./chorus put cart apples",
            "./chorus put cart pears",
            "./chorus get cart",
            "./chorus put cart apples,pears --context <context printed by get>",
            "./chorus get cart --json",
            "./chorus delete cart --context <context printed by get>",
            "./chorus get cart",
            "./chorus status",
            "kill -9 <pid of node-2>",
            "./chorus put fruit kiwi",
            "./chorus status",
            "./chorus node --config chorus-data/node-2/node.yaml --parent-pid <pid of the cluster>"
                    + " >> chorus-data/node-2/node.log 2>&1 &",
            "./chorus status",
            "./chorus get fruit --host 127.0.0.1:7101",
            "./chorus stats coordinator.put",
            "./chorus node --cluster-name chorus-local --node-name node-4 --data-dir chorus-data/node-4"
                    + " --client-listen 127.0.0.1:7103 --anonymous --parent-pid <pid of the cluster>"
                    + " >> chorus-data/node-4.log 2>&1 &",
            "./chorus join 127.0.0.1:7100 --host 127.0.0.1:7103 --wait",
            "./chorus status",
            "./chorus get fruit --host 127.0.0.1:7103");

    @TempDir
    Path dir;
    private Path data;
    private int base;
    private Process cluster;
    private Path clusterOut;
    private final Map<String, Long> pids = new HashMap<>();
    private final List<ProcessHandle> started = new ArrayList<>();
    private String context = "";

    static List<String> readmeBlock() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int start = lines.indexOf("<!-- walkthrough -->");
        assertThat(start).as("README.md marks its walk-through with <!-- walkthrough -->").isNotNegative();
        assertThat(lines.get(start + 1)).isEqualTo("```sh");
        List<String> commands = new ArrayList<>();
        for (String line : lines.subList(start + 2, lines.size())) {
            if (line.equals("```")) {
                return commands;
            }
            int comment = line.indexOf(" #");
            commands.add((comment < 0 ? line : line.substring(0, comment)).strip());
        }
        throw new AssertionError("the walk-through block is not closed");
    }

    @Test
    void theReadmeBlockIsTheTestedOne() throws IOException {
        assertThat(readmeBlock()).containsExactlyElementsOf(STEPS);
    }

    @Test
    void theWalkthroughRunsAsTheReadmeSays() throws Exception {
        assertThat(readmeBlock()).containsExactlyElementsOf(STEPS);
        data = dir.resolve("data");
        base = freePorts(4);
        clusterOut = dir.resolve("cluster.out");
        try {
            startCluster();
            Result r = chorus(STEPS.get(1));
            assertThat(r.out()).contains("apples");
            chorus(STEPS.get(2));
            r = chorus(STEPS.get(3));
            assertThat(r.out()).contains("apples", "pears", "(2 siblings");
            r = chorus(STEPS.get(4));
            assertThat(r.out()).contains("apples,pears").doesNotContain("siblings");
            r = chorus(STEPS.get(5));
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertThat(json.get("siblings")).hasSize(1);
            assertThat(json.get("siblings").get(0).get("value").asText()).isEqualTo("apples,pears");
            assertThat(chorus(STEPS.get(6)).out()).startsWith("deleted");
            assertThat(chorus(STEPS.get(7)).out()).contains("(not found)");
            assertThat(status(STEPS.get(8))).containsEntry("node-1", "up yes").containsEntry("node-2", "up yes")
                    .containsEntry("node-3", "up yes");

            kill(fill(STEPS.get(9)));
            // The cluster says so, with the very command the README gives to start node-2 again.
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(clusterOut)
                    .contains("node-2 (pid " + pids.get("node-2") + ") exited"));
            assertThat(Files.readString(clusterOut)).contains("\n  " + fill(STEPS.get(12)) + "\n");

            assertThat(chorus(STEPS.get(10)).out()).contains("kiwi");
            await().atMost(CONVICTION).pollInterval(POLL)
                    .until(() -> "down no".equals(status(STEPS.get(11)).get("node-2")));

            startInBackground(fill(STEPS.get(12)));
            await().atMost(CONVICTION).pollInterval(POLL)
                    .until(() -> "up yes".equals(status(STEPS.get(13)).get("node-2")));
            assertThat(chorus(STEPS.get(14)).out()).contains("kiwi");
            Result stats = chorus(STEPS.get(15));
            assertThat(stats.out().lines().findFirst().orElseThrow()).matches("metric +node-1 +node-2 +node-3");
            assertThat(stats.out()).containsPattern("(?m)^coordinator\\.put\\.count( +\\d+){3}$")
                    .containsPattern("(?m)^coordinator\\.put\\.p99_us( +\\d+){3}$");

            // A fourth node joins while the cluster serves: staged, committed by the claimant, handed its share.
            startInBackground(fill(STEPS.get(16)));
            await().atMost(Duration.ofSeconds(60)).until(() -> portOpen(base + 3));
            Result join = chorus(STEPS.get(17));
            assertThat(join.err()).contains("join node-4").contains("settled");
            Map<String, String> four = status(STEPS.get(18));
            assertThat(four).containsOnlyKeys("node-1", "node-2", "node-3", "node-4").allSatisfy((node, state) ->
                    assertThat(state).as(node).isEqualTo("up yes"));
            assertThat(partitionsOwned(chorus(STEPS.get(18)).out())).containsOnlyKeys("node-1", "node-2", "node-3",
                    "node-4").allSatisfy((node, owned) -> assertThat(owned).as(node).isEqualTo(64));
            assertThat(chorus(STEPS.get(19)).out()).contains("kiwi");

            // Killed with -9, the cluster takes every node with it (--parent-pid), the restarted one included.
            List<ProcessHandle> nodes = new ArrayList<>(started.subList(1, started.size()));
            nodes.addAll(cluster.descendants().toList());
            assertThat(nodes).hasSizeGreaterThanOrEqualTo(4);
            cluster.destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            if (cluster != null) {
                started.addAll(cluster.descendants().toList());
            }
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private void startCluster() throws IOException {
        List<String> args = words(STEPS.get(0)).subList(1, 3);
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--nodes", "3", "--data", data.toString(), "--port", Integer.toString(base), "--nosync"));
        // As ./chorus sets it, so that the restart command printed is the README's.
        cluster = MainProcess.start(all, clusterOut, Map.of("CHORUS_LAUNCHER", "./chorus"));
        started.add(cluster.toHandle());
        await().atMost(Duration.ofSeconds(120)).until(() -> !cluster.isAlive()
                || Files.readString(clusterOut).contains("Cluster ready."));
        String out = Files.readString(clusterOut);
        assertThat(cluster.isAlive()).as(out).isTrue();
        Matcher m = NODE_LINE.matcher(out);
        while (m.find()) {
            pids.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertThat(pids).as(out).containsOnlyKeys("node-1", "node-2", "node-3");
    }

    /** The README's placeholders, paths and ports replaced by this run's. */
    private String fill(String command) {
        String s = command.replace("<context printed by get>", context)
                .replace("<pid of the cluster>", Long.toString(cluster.pid()))
                .replace("chorus-data/", data + "/");
        Matcher pid = Pattern.compile("<pid of (node-\\d+)>").matcher(s);
        s = pid.replaceAll(r -> Long.toString(pids.get(r.group(1))));
        Matcher port = README_PORT.matcher(s);
        s = port.replaceAll(r -> "127.0.0.1:" + (base + Integer.parseInt(r.group(1))));
        assertThat(s).doesNotContain("<", "\"", "'");
        return s;
    }

    private static List<String> words(String command) {
        return List.of(command.trim().split("\\s+"));
    }

    /** Runs a {@code ./chorus} step to its end; it must succeed. Remembers the context a get printed. */
    private Result chorus(String step) throws Exception {
        List<String> w = words(fill(step));
        assertThat(w.get(0)).isEqualTo("./chorus");
        List<String> args = new ArrayList<>(w.subList(1, w.size()));
        if (!args.contains("--host")) {
            args.addAll(List.of("--host", "127.0.0.1:" + base)); // the README's default, 127.0.0.1:7100
        }
        Result r = MainProcess.run(dir, args.toArray(new String[0]));
        assertThat(r.exit()).as("%s: %s", step, r.err()).isZero();
        if (args.get(0).equals("get")) {
            context = args.contains("--json") ? new ObjectMapper().readTree(r.out()).get("context").asText()
                    : r.out().lines().filter(l -> l.startsWith("context: ")).findFirst().orElseThrow()
                            .substring("context: ".length());
        }
        return r;
    }

    /** A status step: node name to "status alive" as its table shows them. */
    private Map<String, String> status(String step) throws Exception {
        Map<String, String> rows = new HashMap<>();
        Matcher m = STATUS_ROW.matcher(chorus(step).out());
        while (m.find()) {
            rows.put(m.group(1), m.group(2) + " " + m.group(3));
        }
        return rows;
    }

    /** Node name to the partitions it owns, from a status table's {@code parts} column. */
    private static Map<String, Integer> partitionsOwned(String status) {
        Map<String, Integer> owned = new HashMap<>();
        Matcher m = Pattern.compile("^(node-\\d+)\\s+\\S+\\s+(?:yes|no)\\s+\\S+\\s+(\\d+)\\s", Pattern.MULTILINE)
                .matcher(status);
        while (m.find()) {
            owned.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return owned;
    }

    private static boolean portOpen(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void kill(String command) throws Exception {
        List<String> w = words(command);
        assertThat(w.subList(0, 2)).containsExactly("kill", "-9");
        ProcessHandle node = ProcessHandle.of(Long.parseLong(w.get(2))).orElseThrow();
        node.destroyForcibly();
        node.onExit().get();
    }

    /** {@code ./chorus ARGS >> LOG 2>&1 &}: started, its output appended to LOG, not waited for. */
    private void startInBackground(String command) throws IOException {
        List<String> w = words(command);
        int n = w.size();
        assertThat(w.get(0)).isEqualTo("./chorus");
        assertThat(w.subList(n - 4, n)).first().isEqualTo(">>");
        assertThat(w.subList(n - 2, n)).containsExactly("2>&1", "&");
        started.add(MainProcess.start(w.subList(1, n - 4), Path.of(w.get(n - 3)), Map.of()).toHandle());
    }

    /** A base port with {@code count} free ports from it (checked, not reserved: a race is unlikely). */
    private static int freePorts(int count) throws IOException {
        Random random = new Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int from = 20_000 + random.nextInt(30_000);
            if (allFree(from, count)) {
                return from;
            }
        }
        throw new IllegalStateException("no " + count + " free consecutive ports found");
    }

    private static boolean allFree(int from, int count) {
        for (int p = from; p < from + count; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1"))) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
