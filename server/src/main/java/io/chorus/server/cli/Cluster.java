package io.chorus.server.cli;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;

import io.chorus.client.ChorusClient;
import io.chorus.core.NodeId;
import io.chorus.server.HostPort;
import io.chorus.transport.protocol.MembersResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cluster as the operations commands see it: the members the reached node knows, and each member's own
 * answers, so that a command acts on the whole cluster and not only on the node it reached. Not thread-safe.
 */
final class Cluster {

    static final long WAIT_SECONDS = 10;

    final ChorusClient client;
    final InetSocketAddress reached;
    final MembersResponse members;

    Cluster(ChorusClient client, InetSocketAddress reached) throws Exception {
        this.client = client;
        this.reached = reached;
        this.members = client.membersAsync(reached).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** The client addresses of the members that are not removed, in name order. */
    List<MembersResponse.Member> live() {
        List<MembersResponse.Member> out = new ArrayList<>();
        for (MembersResponse.Member m : members.members()) {
            if (m.status() != MembersResponse.Status.REMOVED && !m.clientAddress().isEmpty()) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * The member the reached node is: the one whose client address is the one reached. A node that does not
     * advertise the address it was reached by (a proxy, a name that resolves elsewhere) cannot be told.
     */
    NodeId self() {
        for (MembersResponse.Member m : members.members()) {
            if (!m.clientAddress().isEmpty() && address(m).equals(reached)) {
                return m.id();
            }
        }
        throw new IllegalArgumentException("no member of the cluster has the client address " + reached
                + " (give --host as the node advertises it; see chorus status)");
    }

    static InetSocketAddress address(MembersResponse.Member m) {
        return HostPort.parse(m.clientAddress()).toSocketAddress();
    }

    /**
     * The member's STATS, or null when it does not answer. A refusal for who we are is no missing answer: it
     * fails the command, so a user without the admin role sees why instead of a table of dashes.
     */
    Map<String, Long> stats(MembersResponse.Member m) {
        try {
            return client.statsAsync(address(m)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ChorusException ce && (ce.code() == ErrorCode.FORBIDDEN
                    || ce.code() == ErrorCode.UNAUTHENTICATED)) {
                throw ce;
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }
}
