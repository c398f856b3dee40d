package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.server.EmbeddedCluster;
import io.chorus.server.MainAccess;
import io.chorus.storage.Durability;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The operations commands through picocli against a real 3-node cluster. */
class AdminCommandsTest {

    private static EmbeddedCluster cluster;
    private static String host;

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC).partitions(16).start();
        host = "127.0.0.1:" + cluster.node(1).address().getPort();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run chorus(String command, String... args) {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 3];
        all[0] = command;
        all[1] = "--host";
        all[2] = host;
        System.arraycopy(args, 0, all, 3, args.length);
        return new Run(cl.execute(all), out.toString(), err.toString());
    }

    @Test
    void statusRingPlanTransfersRepairAndStatsDescribeTheWholeCluster() {
        Run status = chorus("status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("claimant: node-1").contains("node-1", "node-2", "node-3");
        assertThat(status.out().lines().filter(l -> l.contains(" up ") && l.contains(" yes ")).count())
                .as(status.out()).isEqualTo(3);
        Run ring = chorus("ring");
        assertThat(ring.out()).contains("Q = 16, 3 members, settled");
        assertThat(chorus("plan").out()).contains("nothing staged");
        assertThat(chorus("transfers").out()).contains("no transfers");
        Run repair = chorus("repair", "--progress", "plain");
        assertThat(repair.code()).as(repair.err()).isZero();
        // Results on stdout, a line a member and a total; progress on stderr, plain: no carriage returns.
        assertThat(repair.out().lines().filter(l -> l.matches("node-[123]: \\d+ syncs \\(\\d+ repaired, 0 failed\\), "
                + "\\d+ keys moved, \\d+ ms"))).hasSize(3);
        assertThat(repair.out()).contains("repaired 3 of 3 members, ");
        assertThat(repair.err()).contains("repair 100% 3/3 members").doesNotContain("\r");
        assertThat(chorus("repair", "--progress", "fancy").code()).isEqualTo(2);
        Run stats = chorus("stats");
        assertThat(stats.out().lines().findFirst().orElseThrow()).matches("metric +node-1 +node-2 +node-3");
        assertThat(stats.out()).containsPattern("(?m)^ring\\.version +\\d+ +\\d+ +\\d+$")
                .containsPattern("(?m)^gossip\\.rounds +\\d+ +\\d+ +\\d+$");
        // Status shows the synced partitions: the repair above converged every held one.
        assertThat(status.out()).contains("synced");
        assertThat(chorus("status").out().lines().filter(l -> l.matches("node-\\d .* 16 +\\d+s .*")).count())
                .isEqualTo(3);
    }

    @Test
    void statsFiltersByPrefixAndNodeAndPrintsJson() throws Exception {
        Run json = chorus("stats", "coordinator.put", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.out());
        assertThat(tree.fieldNames()).toIterable().containsExactly("node-1", "node-2", "node-3");
        for (com.fasterxml.jackson.databind.JsonNode node : tree) {
            assertThat(node.has("coordinator.put.count")).isTrue();
            node.fieldNames().forEachRemaining(name -> assertThat(name).startsWith("coordinator.put"));
        }
        Run one = chorus("stats", "gossip.rounds", "--node", "node-2");
        assertThat(one.out().lines().toList()).hasSize(2);
        assertThat(one.out()).matches("(?s)metric +node-2\\R+gossip\\.rounds +\\d+\\R");
        Run none = chorus("stats", "--node", "node-9");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("no member named node-9");
    }

    @Test
    void configExamplePrintsTheCommentedExampleFile() {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("config", "example")).isZero();
        assertThat(out.toString()).contains("cluster_name: chorus").contains("seeds: []").contains("# ");
    }

    @Test
    void aRefusedChangeIsOneLineAndExitOne() {
        Run remove = chorus("remove", "node-3");
        assertThat(remove.code()).isEqualTo(1);
        assertThat(remove.err().strip()).startsWith("chorus: BAD_REQUEST:").contains("alive")
                .doesNotContain("\n");
        Run commit = chorus("commit");
        assertThat(commit.code()).isEqualTo(1);
        assertThat(commit.err().strip()).contains("nothing is staged");
    }
}
