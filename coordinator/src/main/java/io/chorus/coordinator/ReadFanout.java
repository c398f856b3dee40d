package io.chorus.coordinator;

/**
 * How many of a key's N replicas a read asks at first ({@link CoordinatorConfig#readFanout()}).
 *
 * <ul>
 *   <li>{@link #QUORUM} (the default): R of them, this node first when it is one, then the nearest others in
 *       preference-list order among those {@link Liveness} calls alive. A failed one is replaced at once by the
 *       next; a slow one by a speculative extra ({@link SpeculativeRetry}), and after the replica timeout by all
 *       the rest. The replicas not asked are compared in the background at {@code readRepairChance}.</li>
 *   <li>{@link #ALL}: all N at once, answering after R, as before the quorum fanout existed: for measurement, and
 *       for tests whose point is that every replica hears every read.</li>
 * </ul>
 */
public enum ReadFanout {
    QUORUM,
    ALL
}
