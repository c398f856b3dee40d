package io.chorus.gossip;

import io.chorus.core.NodeId;
import io.chorus.testkit.Withers;
import io.chorus.testkit.Withers.Case;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Each wither of gossip's settings and of {@link NodeState} changes exactly its components. */
class GossipWithersTest {

    @Test
    void failureDetectorConfig() {
        Duration ms = Duration.ofMillis(1);
        Withers.check(FailureDetectorConfig.DEFAULTS,
                Case.of("withThreshold", c -> c.withThreshold(3.5), "threshold", 3.5),
                Case.of("withWindowSize", c -> c.withWindowSize(10), "windowSize", 10),
                Case.of("withMinStdDeviation", c -> c.withMinStdDeviation(ms), "minStdDeviation", ms),
                Case.of("withAcceptablePause", c -> c.withAcceptablePause(ms), "acceptablePause", ms),
                Case.of("withFirstHeartbeatEstimate", c -> c.withFirstHeartbeatEstimate(ms), "firstHeartbeatEstimate",
                        ms),
                new Case<>("withTicks", c -> c.withTicks(ms, Duration.ofMillis(3)),
                        Map.of("tickInterval", ms, "pauseThreshold", Duration.ofMillis(3))));
    }

    @Test
    void gossipConfig() {
        Duration half = Duration.ofMillis(500);
        FailureDetectorConfig detector = FailureDetectorConfig.DEFAULTS.withThreshold(12);
        Withers.check(GossipConfig.DEFAULTS,
                new Case<>("withInterval", c -> c.withInterval(half), Map.of("interval", half,
                        "detector", FailureDetectorConfig.DEFAULTS.withTicks(half, Duration.ofSeconds(1)))),
                Case.of("withDetector", c -> c.withDetector(detector), "detector", detector),
                Case.of("withMessageTimeout", c -> c.withMessageTimeout(half), "messageTimeout", half),
                Case.of("withMaxStatesPerMessage", c -> c.withMaxStatesPerMessage(3), "maxStatesPerMessage", 3));
    }

    @Test
    void nodeStateWithersAlsoTakeTheNextVersion() {
        BitSet partitions = new BitSet();
        partitions.set(1);
        SortedSet<NodeId> removals = new TreeSet<>();
        removals.add(NodeId.of("c"));
        NodeState base = new NodeState(NodeId.of("a"), 4, 7, NodeStatus.UP, "z1", "a:9000", "a:9001", 2, 3, partitions,
                removals, 6);
        partitions.set(3);
        removals.add(NodeId.of("b"));
        long next = base.version() + 1;
        Withers.check(base,
                new Case<>("withStatus", s -> s.withStatus(NodeStatus.LEAVING),
                        Map.of("status", NodeStatus.LEAVING, "version", next)),
                new Case<>("withRingVersion", s -> s.withRingVersion(8), Map.of("ringVersion", 8L, "version", next)),
                new Case<>("withReceived", s -> s.withReceived(9, partitions),
                        Map.of("handoffVersion", 9L, "received", partitions, "version", next)),
                new Case<>("withRemovals", s -> s.withRemovals(removals), Map.of("removals", removals, "version", next)),
                new Case<>("withCommitToken", s -> s.withCommitToken(5), Map.of("commitToken", 5L, "version", next)));
    }
}
