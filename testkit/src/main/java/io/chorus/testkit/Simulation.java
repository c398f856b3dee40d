package io.chorus.testkit;

import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * One deterministic whole-cluster run: a {@link VirtualScheduler} with its {@link VirtualClock}, a
 * {@link SimNetwork}, a {@link Trace}, and one {@link Random} made from {@link #seed()} that every random decision
 * draws from (the network's, and the test's own via {@link #random()}). Everything runs on one thread in an order
 * fixed by the event queue, so the draws, and with them the whole run, depend only on the seed and the test's
 * code: same seed, same trace, byte for byte.
 *
 * <pre>{@code
 * Simulation sim = new Simulation(seed, NetworkConditions.DEFAULT.withDropProbability(0.05));
 * Transport a = sim.network().transport(NodeId.of("a"));
 * sim.network().transport(NodeId.of("b")).serve((from, req) -> CompletableFuture.completedFuture(req));
 * CompletableFuture<Message> reply = a.request(NodeId.of("b"), Message.of(1, new byte[] {42}), 100);
 * assertThat(sim.runUntil(reply::isDone, 1_000)).isTrue();
 * }</pre>
 *
 * <p>To choose and report seeds, see {@link SimulationSeeds}. Thread-safety: confined to the thread that created it.
 */
public final class Simulation {

    private final long seed;
    private final Random random;
    private final VirtualScheduler scheduler;
    private final Trace trace;
    private final SimNetwork network;

    /** A simulation with the {@linkplain NetworkConditions#DEFAULT default} network. */
    public Simulation(long seed) {
        this(seed, NetworkConditions.DEFAULT);
    }

    public Simulation(long seed, NetworkConditions conditions) {
        this.seed = seed;
        this.random = new Random(seed);
        this.scheduler = new VirtualScheduler();
        this.trace = new Trace(scheduler.clock(), Trace.DEFAULT_RETAINED_LINES);
        this.network = new SimNetwork(scheduler, random, trace, conditions);
        trace.record("simulation seed " + seed);
    }

    public long seed() {
        return seed;
    }

    /**
     * The simulation's one random source. Tests draw their workload from it too; draws interleave with the
     * network's in event order, which is as reproducible as the rest.
     */
    public Random random() {
        return random;
    }

    public VirtualClock clock() {
        return scheduler.clock();
    }

    public VirtualScheduler scheduler() {
        return scheduler;
    }

    public SimNetwork network() {
        return network;
    }

    public Trace trace() {
        return trace;
    }

    /** See {@link VirtualScheduler#runUntilIdle()}. */
    public int runUntilIdle() {
        return scheduler.runUntilIdle();
    }

    /** See {@link VirtualScheduler#advance(long)}. */
    public int advance(long millis) {
        return scheduler.advance(millis);
    }

    /** See {@link VirtualScheduler#runUntil(BooleanSupplier, long)}. */
    public boolean runUntil(BooleanSupplier condition, long withinMillis) {
        return scheduler.runUntil(condition, withinMillis);
    }

    @Override
    public String toString() {
        return "Simulation[seed=" + seed + ", t=" + TimeFormat.millis(scheduler.clock().nanoTime()) + " ms]";
    }
}
