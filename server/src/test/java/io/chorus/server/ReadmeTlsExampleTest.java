package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.server.MainProcess.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's secure cluster (issue 14: it "accepts only its own nodes and authenticated clients with the right
 * role"), run as written: the block after {@code <!-- tls-example -->} must hold exactly the commands of
 * {@link #STEPS}; each runs in a working directory of the test's own (where {@code certs/}, {@code users} and
 * {@code demo-tls/} resolve), {@code ./chorus} as {@link Main} in a child JVM, a leading {@code VAR=value} as its
 * environment, {@code > LOG 2>&1 &} in the background, and the README's ports 7201-7203 replaced by free ones. What
 * the prose under the block says of each is checked, and two things besides: no password reaches a node's log (at
 * DEBUG) or a command's output, and a node with a certificate of another CA never becomes a member. Every process
 * is killed by pid in a finally block.
 */
class ReadmeTlsExampleTest {

    private static final Pattern STATUS_ROW = Pattern.compile("^(node-\\d+)\\s+(\\S+)\\s+(yes|no)\\s",
            Pattern.MULTILINE);
    private static final Pattern README_PORT = Pattern.compile("127\\.0\\.0\\.1:720([1-3])");
    private static final Pattern ENV = Pattern.compile("([A-Z_]+)=(\\S*)");
    private static final List<String> PASSWORDS = List.of("ops-secret", "app-secret", "report-secret", "guess");
    private static final Map<String, String> ALL_UP = Map.of("node-1", "up yes", "node-2", "up yes", "node-3",
            "up yes");
    /** Nodes log everything, DEBUG included, so that the search for passwords in their logs means something. */
    private static final Path DEBUG_LOGS = resource("/logback-debug-nodes.xml");
    /** Each status poll is a JVM start: polled back to back, they would take the CPU the nodes need. */
    private static final Duration POLL = Duration.ofSeconds(1);
    /** How long at least a node of another CA gets to gossip its way in, and fail to. */
    private static final Duration STRANGER = Duration.ofSeconds(5);

    /** The example's commands, in order, as the README writes them. */
    static final List<String> STEPS = List.of(
            "./chorus certs init --dir certs --cluster demo",
            "./chorus certs node node-1 --dir certs",
            "./chorus certs node node-2 --dir certs",
            "./chorus certs node node-3 --dir certs",
            "CHORUS_NEW_PASSWORD=ops-secret ./chorus users add ops --roles admin --file users",
            "CHORUS_NEW_PASSWORD=app-secret ./chorus users add app --roles read,write --file users",
            "CHORUS_NEW_PASSWORD=report-secret ./chorus users add report --roles read --file users",
            node(1),
            node(2),
            node(3),
            "CHORUS_PASSWORD=ops-secret ./chorus status --host 127.0.0.1:7201 --ca certs/ca.crt --user ops",
            "CHORUS_PASSWORD=app-secret ./chorus put cart apples --host 127.0.0.1:7201 --ca certs/ca.crt --user app",
            "CHORUS_PASSWORD=report-secret ./chorus get cart --host 127.0.0.1:7202 --ca certs/ca.crt --user report",
            "CHORUS_PASSWORD=report-secret ./chorus put cart pears --host 127.0.0.1:7202 --ca certs/ca.crt"
                    + " --user report",
            "CHORUS_PASSWORD=guess ./chorus get cart --host 127.0.0.1:7203 --ca certs/ca.crt --user app",
            "./chorus get cart --host 127.0.0.1:7203 --ca certs/ca.crt",
            "./chorus get cart --host 127.0.0.1:7203");
    private static final int FIRST_NODE = 7;
    private static final int STATUS = 10;

    /** Not in the README: what it says of such a process, tried. The same cluster name; only the CA differs. */
    private static final List<String> STRANGER_STEPS = List.of(
            "./chorus certs init --dir other --cluster demo",
            "./chorus certs node node-4 --dir other",
            "./chorus node --cluster-name demo --node-name node-4 --data-dir demo-tls/node-4 --client-listen"
                    + " 127.0.0.1:<port 4> --seeds 127.0.0.1:7201 --set tls.certificate=other/node-4.crt"
                    + " --set tls.key=other/node-4.key --set tls.ca=other/ca.crt --set auth.users_file=users"
                    + " > node-4.log 2>&1 &");
    private static final String STRANGER_STATUS = "CHORUS_PASSWORD=ops-secret ./chorus status --host"
            + " 127.0.0.1:<port 4> --ca other/ca.crt --user ops";
    private static final String ADMIN_GET =
            "CHORUS_PASSWORD=ops-secret ./chorus get cart --host 127.0.0.1:7203 --ca certs/ca.crt --user ops --r 3";

    private static String node(int i) {
        return "./chorus node --cluster-name demo --node-name node-" + i + " --data-dir demo-tls/node-" + i
                + " --client-listen 127.0.0.1:720" + i + " --seeds 127.0.0.1:7201 --set tls.certificate=certs/node-"
                + i + ".crt --set tls.key=certs/node-" + i + ".key --set tls.ca=certs/ca.crt"
                + " --set auth.users_file=users > node-" + i + ".log 2>&1 &";
    }

    @TempDir
    Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    static List<String> readmeBlock() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int start = lines.indexOf("<!-- tls-example -->");
        assertThat(start).as("README.md marks its TLS example with <!-- tls-example -->").isNotNegative();
        assertThat(lines.get(start + 1)).isEqualTo("```sh");
        List<String> commands = new ArrayList<>();
        for (String line : lines.subList(start + 2, lines.size())) {
            if (line.equals("```")) {
                return commands;
            }
            int comment = line.indexOf(" #");
            commands.add((comment < 0 ? line : line.substring(0, comment)).strip());
        }
        throw new AssertionError("the TLS example block is not closed");
    }

    @Test
    void theReadmeBlockIsTheTestedOne() throws IOException {
        assertThat(readmeBlock()).containsExactlyElementsOf(STEPS);
    }

    @Test
    void theClusterAdmitsOnlyItsNodesAndUsersWithTheRightRole() throws Exception {
        assertThat(readmeBlock()).containsExactlyElementsOf(STEPS);
        while (ports.size() < 4) {
            int port = freePort();
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        try {
            for (String step : STEPS.subList(0, FIRST_NODE)) {
                succeeds(step);
            }
            assertThat(Files.readString(dir.resolve("users"))).contains("ops", "app", "report")
                    .doesNotContain(PASSWORDS);
            succeeds(STRANGER_STEPS.get(0));
            succeeds(STRANGER_STEPS.get(1));
            for (String step : STEPS.subList(FIRST_NODE, STATUS)) {
                background(step);
            }
            // The stranger starts with the cluster: it has all of the cluster's forming to get in.
            Process stranger = background(STRANGER_STEPS.get(2));
            // Each node says when it listens (a status before that would wait out the client's connect timeout).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    started.stream().anyMatch(p -> !p.isAlive())
                            || logs().values().stream().filter(log -> log.contains("\nSeeds: ")).count() == 4);
            long strangerUp = System.nanoTime();
            // They find each other, and the claimant commits the joins (membership.settle after the last): polled
            // with the README's own status command. The stranger is never among them.
            await().atMost(Duration.ofSeconds(90)).pollInterval(POLL).until(() -> {
                assertThat(started).as("%s", logs()).allMatch(Process::isAlive);
                return members(status(STEPS.get(STATUS))).equals(ALL_UP);
            });

            assertThat(succeeds(STEPS.get(11)).out()).contains("apples");
            assertThat(succeeds(STEPS.get(12)).out()).contains("apples");
            refused(STEPS.get(13), "FORBIDDEN");
            refused(STEPS.get(14), "UNAUTHENTICATED");
            refused(STEPS.get(15), "UNAUTHENTICATED");
            refused(STEPS.get(16), "UNAVAILABLE");
            // report's refused put stored nothing: an admin reads apples alone from every replica.
            assertThat(succeeds(ADMIN_GET).out()).contains("apples").doesNotContain("pears", "siblings");

            // The stranger, still trying, has had at least STRANGER to gossip its way in, and never got in; nor did
            // it get so much as the ring from its seed.
            Duration left = STRANGER.minusNanos(System.nanoTime() - strangerUp);
            await().during(left.compareTo(POLL) > 0 ? left : POLL).atMost(STRANGER.plusSeconds(30)).pollInterval(POLL)
                    .until(() -> members(status(STEPS.get(STATUS))).equals(ALL_UP));
            assertThat(stranger.isAlive()).as("%s", logs()).isTrue();
            refused(STRANGER_STATUS, "UNAVAILABLE");

            // Credentials went to every node, some of them wrong: no log holds a password.
            assertThat(logs()).hasSize(4).allSatisfy((log, text) -> assertThat(text).as(log)
                    .isNotEmpty().doesNotContain(PASSWORDS));
        } finally {
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A step as a process: its leading {@code VAR=value} words, the arguments after ./chorus, any background log. */
    private record Command(Map<String, String> env, List<String> args, String log) {
    }

    /** The README's ports replaced by this run's, then the step parsed; nothing else of a shell is allowed. */
    private Command parse(String step) {
        Matcher port = README_PORT.matcher(step.replace("<port 4>", Integer.toString(ports.get(3))));
        String s = port.replaceAll(r -> "127.0.0.1:" + ports.get(Integer.parseInt(r.group(1)) - 1));
        assertThat(s).doesNotContain("<", "\"", "'", "|", ";", "$", "`");
        List<String> words = new ArrayList<>(List.of(s.strip().split("\\s+")));
        Map<String, String> env = new LinkedHashMap<>();
        while (ENV.matcher(words.get(0)).matches()) {
            Matcher m = ENV.matcher(words.remove(0));
            assertThat(m.matches()).isTrue();
            env.put(m.group(1), m.group(2));
        }
        assertThat(words.get(0)).as(step).isEqualTo("./chorus");
        int n = words.size();
        if (words.get(n - 1).equals("&")) {
            assertThat(words.subList(n - 4, n)).as(step).first().isEqualTo(">");
            assertThat(words.get(n - 2)).as(step).isEqualTo("2>&1");
            return new Command(env, List.copyOf(words.subList(1, n - 4)), words.get(n - 3));
        }
        assertThat(s).doesNotContain(">", "&");
        return new Command(env, List.copyOf(words.subList(1, n)), null);
    }

    /** Runs a step to its end; whatever it answers, it never prints a password. */
    private Result run(String step) throws Exception {
        Command c = parse(step);
        assertThat(c.log()).as(step).isNull();
        Result r = MainProcess.run(dir, c.env(), c.args());
        assertThat(r.out() + r.err()).as(step).doesNotContain(PASSWORDS);
        return r;
    }

    private Result succeeds(String step) throws Exception {
        Result r = run(step);
        assertThat(r.exit()).as("%s:%n%s%s", step, r.out(), r.err()).isZero();
        return r;
    }

    /** Exit 1, nothing on stdout, one line on stderr naming the code, no stack trace. */
    private void refused(String step, String code) throws Exception {
        Result r = run(step);
        assertThat(r.exit()).as("%s:%n%s%s", step, r.out(), r.err()).isEqualTo(1);
        assertThat(r.out()).as(step).isEmpty();
        assertThat(r.err().lines()).as(step).hasSize(1);
        assertThat(r.err()).as(step).startsWith("chorus: " + code + ": ").doesNotContain("\tat ", "Exception");
    }

    /** {@code ./chorus ARGS > LOG 2>&1 &}: started with LOG in the working directory, not waited for. */
    private Process background(String step) throws IOException {
        Command c = parse(step);
        assertThat(c.log()).as(step).isNotNull();
        Process p = MainProcess.start(dir, List.of("-Dlogback.configurationFile=" + DEBUG_LOGS), c.args(),
                dir.resolve(c.log()), c.env());
        started.add(p);
        return p;
    }

    /** A status step's output, or "" while it fails (the cluster is still starting). */
    private String status(String step) throws Exception {
        Result r = run(step);
        return r.exit() == 0 ? r.out() : "";
    }

    /** Node name to "status alive" as a status table shows them. */
    private static Map<String, String> members(String status) {
        Map<String, String> rows = new HashMap<>();
        Matcher m = STATUS_ROW.matcher(status);
        while (m.find()) {
            rows.put(m.group(1), m.group(2) + " " + m.group(3));
        }
        return rows;
    }

    /** Every node log of the working directory, by file name. */
    private Map<String, String> logs() throws IOException {
        Map<String, String> logs = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                logs.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        return logs;
    }

    private static Path resource(String name) {
        try {
            return Path.of(ReadmeTlsExampleTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A port free now (checked, not reserved: a race with another process is unlikely). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
