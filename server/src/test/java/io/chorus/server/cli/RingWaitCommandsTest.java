package io.chorus.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.coordinator.HandoffConfig;
import io.chorus.core.NodeId;
import io.chorus.gossip.GossipConfig;
import io.chorus.ring.Member;
import io.chorus.ring.RingState;
import io.chorus.ring.RingStateCodec;
import io.chorus.server.AddressBook;
import io.chorus.server.ChorusNode;
import io.chorus.server.HostPort;
import io.chorus.server.MainAccess;
import io.chorus.server.MembershipOptions;
import io.chorus.server.NodeConfig;
import io.chorus.storage.Durability;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code chorus join --wait} and {@code chorus leave --wait} on a cluster of seeded nodes that commit by themselves:
 * each command returns only once the ring settled with the change.
 */
class RingWaitCommandsTest {

    private static final GossipConfig FAST = GossipConfig.DEFAULTS.withInterval(Duration.ofMillis(200));

    @TempDir
    Path dir;
    private final List<ChorusNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(ChorusNode::stop);
    }

    private ChorusNode start(String name, ChorusNode seed) {
        NodeId id = NodeId.of(name);
        NodeConfig config = NodeConfig.defaults(id, dir.resolve(name), List.of(Member.of(id)))
                .withDurability(Durability.NOSYNC).withPartitions(16).withClusterName("wait-test");
        List<HostPort> seeds = seed == null ? List.of() : List.of(HostPort.of(seed.peerAddress()));
        ChorusNode node = new ChorusNode(config, MembershipOptions.seeds(seeds, FAST, true, Duration.ZERO)
                .withHandoff(new HandoffConfig(200, 1_000, 2, 2_000)), new AddressBook(), null, null);
        node.start();
        nodes.add(node);
        return node;
    }

    private static RingState ring(ChorusClient c, ChorusNode n) throws Exception {
        return RingStateCodec.decode(c.ringAsync(n.address()).get(5, TimeUnit.SECONDS));
    }

    private record Run(int code, String out, String err) {
    }

    private static Run chorus(ChorusNode host, String... args) {
        CommandLine cl = MainAccess.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--host", "127.0.0.1:" + host.address().getPort(), "--progress", "plain"));
        return new Run(cl.execute(all.toArray(new String[0])), out.toString(), err.toString());
    }

    private static ChorusClient connect(ChorusNode seed) {
        return await().ignoreExceptions().atMost(Duration.ofSeconds(20))
                .until(() -> ChorusClient.connect(ClientConfig.builder(List.of(seed.address())).build()), c -> true);
    }

    private static void awaitSettled(ChorusClient c, ChorusNode n, int members) {
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> {
            RingState r = ring(c, n);
            return r.settled() && r.to().size() == members;
        });
    }

    @Test
    void joinAndLeaveWaitUntilTheRingSettledWithTheChange() throws Exception {
        ChorusNode n1 = start("n1", null);
        try (ChorusClient c = connect(n1)) {
            start("n2", n1);
            awaitSettled(c, n1, 2);
            for (int i = 0; i < 50; i++) {
                c.put(("k" + i).getBytes(), "v".getBytes(), null);
            }
            ChorusNode n3 = start("n3", null);
            awaitSettled(c, n3, 1); // a cluster of its own, until it joins

            Run join = chorus(n3, "join", HostPort.of(n1.peerAddress()).toString(), "--wait", "--deadline", "90s");
            assertThat(join.code()).as(join.out() + join.err()).isZero();
            assertThat(join.out()).contains("n3 joined: the ring settled with it");
            assertThat(join.err()).contains("join n3 100% ").contains(" partitions ").doesNotContain("\r");
            RingState joined = ring(c, n3);
            assertThat(joined.settled()).isTrue();
            assertThat(joined.to().contains(NodeId.of("n3"))).isTrue();

            Run leave = chorus(n3, "leave", "--wait", "--deadline", "90s");
            assertThat(leave.code()).as(leave.out() + leave.err()).isZero();
            assertThat(leave.out()).contains("n3 left: the ring settled without it");
            assertThat(leave.err()).contains("leave n3 100% ");
            // n1 is the node --wait polled; it is settled on a ring without n3.
            RingState left = ring(c, n1);
            assertThat(left.settled()).isTrue();
            assertThat(left.to().contains(NodeId.of("n3"))).isFalse();
            assertThat(left.to().size()).isEqualTo(2);
        }
    }

    @Test
    void aDeadlineThatPassesIsOneLineAndExitOne() {
        ChorusNode n1 = start("n1", null);
        ChorusNode n2 = start("n2", n1);
        try (ChorusClient c = connect(n1)) {
            awaitSettled(c, n1, 2);
        }
        Run bad = chorus(n2, "leave", "--wait", "--deadline", "soon");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.out()).as("refused before the leave is staged").isEmpty();
        // The leave is staged at once; its commit and handoff take gossip rounds, far more than 1 ms.
        Run leave = chorus(n2, "leave", "--wait", "--deadline", "1ms");
        assertThat(leave.code()).as(leave.out() + leave.err()).isEqualTo(1);
        assertThat(leave.err().strip()).endsWith("chorus: TIMEOUT: the ring change was not over after --deadline 1ms"
                + " (it goes on: see chorus transfers)");
    }
}
