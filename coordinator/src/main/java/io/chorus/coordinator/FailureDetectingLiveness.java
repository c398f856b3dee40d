package io.chorus.coordinator;

import io.chorus.core.NodeId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link Liveness}, fed only by request outcomes: a node is down after {@code downAfter} consecutive
 * failed requests and up again on any success. A down node is still probed: a read asks it when the live replicas
 * are not enough, background read repair asks it at {@code readRepairChance}, hint replay keeps sending to the
 * owners it holds hints for and anti-entropy syncs with it, so a recovered node is noticed without gossip.
 * Thread-safe (one atomic counter per node).
 */
public final class FailureDetectingLiveness implements Liveness {

    /** Three: one lost message is not a dead node, but a node silent thrice in a row probably is. */
    public static final int DEFAULT_DOWN_AFTER = 3;

    private final int downAfter;
    private final ConcurrentHashMap<NodeId, Integer> consecutiveFailures = new ConcurrentHashMap<>();

    public FailureDetectingLiveness() {
        this(DEFAULT_DOWN_AFTER);
    }

    public FailureDetectingLiveness(int downAfter) {
        if (downAfter < 1) {
            throw new IllegalArgumentException("downAfter must be >= 1, got " + downAfter);
        }
        this.downAfter = downAfter;
    }

    @Override
    public boolean isAlive(NodeId node) {
        return consecutiveFailures.getOrDefault(node, 0) < downAfter;
    }

    @Override
    public void onSuccess(NodeId node) {
        consecutiveFailures.remove(node);
    }

    @Override
    public void onFailure(NodeId node) {
        consecutiveFailures.merge(node, 1, (a, b) -> a == Integer.MAX_VALUE ? a : a + 1);
    }

    @Override
    public String toString() {
        return "FailureDetectingLiveness[downAfter=" + downAfter + ", failures=" + consecutiveFailures + "]";
    }
}
