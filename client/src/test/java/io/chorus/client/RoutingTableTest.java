package io.chorus.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.ring.Claim;
import io.chorus.ring.Member;
import io.chorus.ring.Ring;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private static final List<InetSocketAddress> SEEDS = List.of(InetSocketAddress.createUnresolved("seed", 1));

    @Test
    void withoutARingEveryRequestGoesToTheSeeds() {
        assertThat(RoutingTable.seedsOnly(SEEDS).candidates(key(1))).isEqualTo(SEEDS);
    }

    @Test
    void candidatesFollowTheWalkAndSkipNodesWithoutAnAddress() {
        Ring ring = ring(5, 64);
        Map<NodeId, InetSocketAddress> endpoints = endpoints(ring);
        NodeId unknown = ring.walk(0).get(2);
        endpoints.remove(unknown);
        RoutingTable table = new RoutingTable(ring, endpoints, SEEDS);
        for (int k = 0; k < 200; k++) {
            List<InetSocketAddress> expected = ring.walk(ring.partitionOf(key(k))).stream()
                    .filter(n -> !n.equals(unknown)).map(endpoints::get).toList();
            assertThat(table.candidates(key(k))).as("key %d", k).isEqualTo(expected);
        }
    }

    @Test
    void aRingWithNoKnownAddressFallsBackToTheSeeds() {
        assertThat(new RoutingTable(ring(3, 16), Map.of(), SEEDS).candidates(key(9))).isEqualTo(SEEDS);
    }

    @Test
    void aRingOverTheCacheBudgetRoutesTheSameWay() {
        // 16384 partitions x 70 nodes is over the 2^20 references the table precomputes.
        Ring big = ring(70, 16384);
        Map<NodeId, InetSocketAddress> endpoints = endpoints(big);
        RoutingTable table = new RoutingTable(big, endpoints, SEEDS);
        for (int k = 0; k < 50; k++) {
            List<InetSocketAddress> expected = big.walk(big.partitionOf(key(k))).stream().map(endpoints::get).toList();
            assertThat(table.candidates(key(k))).as("key %d", k).isEqualTo(expected);
        }
    }

    private static Ring ring(int nodes, int partitions) {
        return Claim.create(IntStream.range(0, nodes).mapToObj(i -> Member.of("node-" + i)).toList(), partitions);
    }

    private static Map<NodeId, InetSocketAddress> endpoints(Ring ring) {
        Map<NodeId, InetSocketAddress> endpoints = new HashMap<>();
        for (NodeId node : ring.walk(0)) {
            endpoints.put(node, InetSocketAddress.createUnresolved(node.toString(), 7000));
        }
        return endpoints;
    }

    private static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }
}
