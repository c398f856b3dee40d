package io.chorus.server;

import io.chorus.coordinator.HandoffConfig;
import io.chorus.gossip.GossipConfig;
import java.time.Duration;
import java.util.List;

/**
 * How a node finds and changes its cluster. Immutable.
 *
 * @param seeds          peer addresses to gossip with first (this node's own may be among them); none for a node
 *                       whose cluster is its configured member list
 * @param gossip         gossip rounds and failure detection
 * @param autoCommit     whether the claimant commits staged changes by itself once they have been quiet for
 *                       {@code settle}; false leaves them to an operator's COMMIT
 * @param settle         see {@code autoCommit}
 * @param initialMembers whether the configured member list is the first ring (every listed node makes the same
 *                       one at once): the embedded cluster's way; otherwise the first seed creates a ring of itself
 *                       and the others join it
 * @param handoff        how partitions move after a ring change
 */
public record MembershipOptions(List<HostPort> seeds, GossipConfig gossip, boolean autoCommit, Duration settle,
        boolean initialMembers, HandoffConfig handoff) {

    public MembershipOptions {
        seeds = List.copyOf(seeds);
        if (gossip == null || settle == null || settle.isNegative() || handoff == null) {
            throw new IllegalArgumentException("gossip settings and a non-negative settle time must be given");
        }
    }

    /** The configured members form the first ring; gossip among them with the default settings. */
    public static MembershipOptions staticMembers() {
        return new MembershipOptions(List.of(), GossipConfig.DEFAULTS, true, Duration.ofSeconds(5), true,
                HandoffConfig.defaults());
    }

    /** A node that finds its cluster through {@code seeds}. */
    public static MembershipOptions seeds(List<HostPort> seeds, GossipConfig gossip, boolean autoCommit,
            Duration settle) {
        return new MembershipOptions(seeds, gossip, autoCommit, settle, false, HandoffConfig.defaults());
    }


    public MembershipOptions withHandoff(HandoffConfig h) {
        return new MembershipOptions(seeds, gossip, autoCommit, settle, initialMembers, h);
    }

}
