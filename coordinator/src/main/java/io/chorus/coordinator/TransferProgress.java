package io.chorus.coordinator;

import io.chorus.core.NodeId;
import java.util.List;

/**
 * One partition's handoff as this node sees it, for STATS and the admin TRANSFERS listing. Immutable.
 *
 * @param role      RECEIVE (this node is a new replica), RELEASE (it gives the partition up) or STRAY (it holds a
 *                  partition it is no replica of)
 * @param state     WAITING (for the commit to be seen everywhere, or a peer), SYNCING, DONE
 * @param peers     the nodes it syncs with
 * @param keysMoved keys fetched plus pushed so far
 * @param bytesMoved bytes sent plus received so far
 * @param syncs     syncs run so far
 */
public record TransferProgress(int partition, Role role, State state, List<NodeId> peers, long keysMoved,
        long bytesMoved, int syncs) {

    public enum Role { RECEIVE, RELEASE, STRAY }

    public enum State { WAITING, SYNCING, DONE }

    public TransferProgress {
        peers = List.copyOf(peers);
    }

    /** A partition's first entry: nothing moved yet. */
    static TransferProgress of(int partition, Role role, State state, List<NodeId> peers) {
        return new TransferProgress(partition, role, state, peers, 0, 0, 0);
    }

    /** The same partition in {@code next} state, with {@code peers}, its counts kept. */
    TransferProgress in(State next, List<NodeId> withPeers) {
        return new TransferProgress(partition, role, next, withPeers, keysMoved, bytesMoved, syncs);
    }

    TransferProgress in(State next) {
        return in(next, peers);
    }

    /** After one more sync that moved {@code keys} and {@code bytes}. */
    TransferProgress plusSync(long keys, long bytes) {
        return new TransferProgress(partition, role, state, peers, keysMoved + keys, bytesMoved + bytes, syncs + 1);
    }
}
