package io.chorus.gossip;

import io.chorus.core.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Whom a round gossips with: Cassandra's rules, as a pure function of the candidates and a random source.
 * <ol>
 *   <li>one live peer, at random, if any;</li>
 *   <li>one unreachable (convicted) node with probability {@code unreachable / (live + 1)}, so a node that comes
 *       back is heard from soon, while a large cluster does not spend many messages on the dead;</li>
 *   <li>one seed if the live peer was not a seed, or there are fewer live peers than seeds: always when no peer
 *       is live (a node starting alone, or cut off), else with probability {@code seeds / (live + unreachable)}.
 *       Seeds are where partitions of the membership meet again: two halves that each know only themselves both
 *       keep talking to the seeds.</li>
 * </ol>
 * The lists must not contain the calling node itself; live and unreachable exclude removed nodes. A node picked
 * twice (a seed that is also the live pick) is gossiped with once. Stateless.
 */
final class PeerSelection {

    private PeerSelection() {
    }

    static List<NodeId> choose(List<NodeId> live, List<NodeId> unreachable, List<NodeId> seeds, Random random) {
        List<NodeId> out = new ArrayList<>(3);
        boolean toSeed = false;
        if (!live.isEmpty()) {
            NodeId peer = live.get(random.nextInt(live.size()));
            out.add(peer);
            toSeed = seeds.contains(peer);
        }
        if (!unreachable.isEmpty()
                && random.nextDouble() < unreachable.size() / (double) (live.size() + 1)) {
            add(out, unreachable.get(random.nextInt(unreachable.size())));
        }
        if (!seeds.isEmpty() && (!toSeed || live.size() < seeds.size())) {
            if (live.isEmpty()
                    || random.nextDouble() < seeds.size() / (double) (live.size() + unreachable.size())) {
                add(out, seeds.get(random.nextInt(seeds.size())));
            }
        }
        return out;
    }

    private static void add(List<NodeId> out, NodeId node) {
        if (!out.contains(node)) {
            out.add(node);
        }
    }
}
