package io.chorus.server;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.transport.protocol.MembersResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks a local cluster how it is, for {@link StatusLine}: the membership as the first node that answers sees it,
 * and each live member's own STATS (moving partitions, hint backlog). The client is made on the first probe that
 * finds a node listening, so a probe can run while the nodes are still starting. Not thread-safe: one status loop
 * owns it.
 */
final class StatusProbe implements AutoCloseable {

    private static final long WAIT_MILLIS = 2_000;

    private final List<InetSocketAddress> nodes;
    private ChorusClient client;

    StatusProbe(List<InetSocketAddress> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Hints a node holds for others: stored, less delivered and dropped (what {@code chorus status} shows). */
    static long hintBacklog(Map<String, Long> stats) {
        return stats.getOrDefault("coordinator.hints_stored", 0L)
                - stats.getOrDefault("coordinator.hints_delivered", 0L)
                - stats.getOrDefault("coordinator.hints_dropped", 0L);
    }

    StatusLine.Snapshot probe() {
        if (client == null) {
            try {
                client = ChorusClient.connect(ClientConfig.builder(nodes).clientName("chorus-cluster")
                        .requestTimeoutMillis(WAIT_MILLIS).connectTimeoutMillis(WAIT_MILLIS).build());
            } catch (RuntimeException e) {
                return StatusLine.Snapshot.unreachable(); // no node listens yet (or any more)
            }
        }
        for (InetSocketAddress node : nodes) {
            MembersResponse members;
            try {
                members = client.membersAsync(node).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                continue; // that node is down: ask the next one
            }
            return snapshot(members);
        }
        return StatusLine.Snapshot.unreachable();
    }

    private StatusLine.Snapshot snapshot(MembersResponse members) {
        int up = 0;
        int total = 0;
        long moving = 0;
        long hints = 0;
        List<String> notUp = new ArrayList<>();
        for (MembersResponse.Member m : members.members()) {
            if (m.status() == MembersResponse.Status.REMOVED) {
                continue;
            }
            total++;
            if (m.status() == MembersResponse.Status.UP && m.alive()) {
                up++;
            } else {
                notUp.add(m.id().name() + " " + (m.alive() ? m.status().name().toLowerCase() : "down"));
            }
            if (m.alive() && !m.clientAddress().isEmpty()) {
                try {
                    Map<String, Long> stats = client.statsAsync(HostPort.parse(m.clientAddress()).toSocketAddress())
                            .get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    moving = Math.max(moving, stats.getOrDefault("ring.partitions_moving", 0L));
                    hints += hintBacklog(stats);
                } catch (Exception e) {
                    // alive in gossip but not answering now: the next probe will tell
                }
            }
        }
        return new StatusLine.Snapshot(true, up, total, moving, hints, notUp);
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
