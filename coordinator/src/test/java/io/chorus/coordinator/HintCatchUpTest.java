package io.chorus.coordinator;

import static io.chorus.coordinator.SimCluster.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import io.chorus.storage.MemoryStorageEngine;
import io.chorus.testkit.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hint replay of a backlog, in virtual time with owners that answer after a latency: a returning owner is caught
 * up at the budget's rate (not a batch per round), the budget's slots bound the hints in flight, a down owner gets
 * one probe per round while another owner catches up, and an owner failing half way keeps every hint it did not
 * acknowledge.
 */
class HintCatchUpTest {

    private static final NodeId UP = NodeId.of("up");
    private static final NodeId OTHER = NodeId.of("other");
    private static final NodeId DOWN = NodeId.of("down");
    private static final SiblingSet SET = SiblingSet.empty()
            .update(VersionVector.empty(), ActorId.of("a", 1), bytes("v"), 7);
    private static final long NOW = 1_000_000;
    private static final long INTERVAL = 500;
    private static final long LATENCY = 2;

    private final VirtualScheduler scheduler = new VirtualScheduler(NOW);
    private final MemoryStorageEngine storage = new MemoryStorageEngine(1);
    private final Counters counters = new Counters();
    private final Owners owners = new Owners();

    @Test
    void aReturningOwnerIsCaughtUpAtTheBudgetsRateNotABatchPerRound() {
        BackgroundBudget budget = BackgroundBudget.of(new BudgetConfig(2, 1_000, BudgetConfig.UNLIMITED),
                scheduler.clock(), scheduler);
        HintStore hints = hints(UP, 5_000);
        HintReplayer replayer = start(hints, budget, 100);

        assertThat(scheduler.runUntil(() -> hints.area().count() == 0, 60_000)).isTrue();
        long tookMillis = (owners.lastSendNanos - owners.firstSendNanos) / 1_000_000;
        // One second's burst, then 4000 keys at 1000 keys/s: about 4 s, where a batch of 100 per round of 500 ms
        // took 25 s.
        assertThat(tookMillis).isBetween(3_800L, 4_300L);
        assertThat(owners.sentWithin(UP, 2_000)).as("the rate holds: a burst and 2 s worth, give or take a batch")
                .isBetween(2_850, 3_100);
        assertThat(owners.keys(UP)).as("each hint sent exactly once").hasSize(5_000);
        assertThat(owners.sent.get(UP)).isEqualTo(5_000);
        assertThat(counters.snapshot().hintsDelivered()).isEqualTo(5_000);
        assertThat(budget.stats().keysSpent()).isEqualTo(5_000);
        replayer.close();
    }

    @Test
    void withoutARateTheCatchUpIsBoundOnlyByLatencyAndSlots() {
        HintStore hints = hints(UP, 5_000);
        HintReplayer replayer = start(hints, new BudgetConfig(2, BudgetConfig.UNLIMITED, BudgetConfig.UNLIMITED), 100);
        assertThat(scheduler.runUntil(() -> hints.area().count() == 0, 60_000)).isTrue();
        // The probe, then 25 laps of 2 batches of 100 in flight, each lap one round trip.
        assertThat((owners.lastSendNanos - owners.firstSendNanos) / 1_000_000).isLessThanOrEqualTo(26 * LATENCY);
        replayer.close();
    }

    @Test
    void theBudgetsSlotsBoundTheHintsInFlightAcrossOwnersAndKinds() {
        BackgroundBudget budget = BackgroundBudget.of(new BudgetConfig(2, BudgetConfig.UNLIMITED,
                BudgetConfig.UNLIMITED), scheduler.clock(), scheduler);
        HintStore hints = hints(UP, 300);
        addHints(hints, OTHER, 300);
        // Anti-entropy holds one of the two slots: hints get one batch in flight.
        BackgroundBudget.Permit aae = budget.acquire("aae").join();
        HintReplayer replayer = start(hints, budget, 10);
        assertThat(scheduler.runUntil(() -> counters.snapshot().hintsDelivered() >= 200, 60_000)).isTrue();
        assertThat(owners.maxInFlight).isEqualTo(10);

        aae.close();
        assertThat(scheduler.runUntil(() -> hints.area().count() == 0, 60_000)).isTrue();
        assertThat(owners.maxInFlight).as("two batches of 10 in flight, never more").isEqualTo(20);
        assertThat(budget.stats().kinds().get(HintReplayer.KIND).granted()).isGreaterThanOrEqualTo(60);
        replayer.close();
    }

    @Test
    void aDownOwnerGetsOneProbePerRoundWhileAnotherCatchesUp() {
        BudgetConfig budget = new BudgetConfig(2, 1_000, BudgetConfig.UNLIMITED);
        HintStore hints = hints(UP, 20_000);
        addHints(hints, DOWN, 1_000);
        owners.down.add(DOWN);
        HintReplayer replayer = start(hints, budget, 100);
        scheduler.advance(INTERVAL + 5_000);
        // Rounds follow each other at once while the other owner has a backlog, each its turn's 500 ms long.
        assertThat(owners.sent.get(DOWN)).as("one probe per round, not a window's worth").isBetween(8, 12);
        assertThat(counters.snapshot().hintsDelivered()).as("a burst and 5 s worth").isBetween(5_500L, 6_100L);
        assertThat(owners.keys(UP)).hasSize(owners.sent.get(UP));
        replayer.close();
    }

    @Test
    void anOwnerFailingHalfWayKeepsEveryHintItDidNotAcknowledge() {
        HintStore hints = hints(UP, 1_000);
        owners.failAfter = 150;
        HintReplayer replayer = start(hints, new BudgetConfig(2, BudgetConfig.UNLIMITED, BudgetConfig.UNLIMITED),
                100);
        scheduler.advance(INTERVAL + INTERVAL / 2);

        assertThat(counters.snapshot().hintsDelivered()).isEqualTo(150);
        assertThat(owners.sent.get(UP)).as("what was in flight when it failed, no new batch").isLessThanOrEqualTo(
                1 + 2 * 100 + 100);
        Set<String> left = new HashSet<>();
        hints.area().scan(HintCodec.ownerPrefix(UP), (key, value) -> left.add(
                new String(HintCodec.decode(key, value).key(), StandardCharsets.UTF_8)));
        assertThat(left).hasSize(850).doesNotContainAnyElementsOf(owners.acked);

        int before = owners.sent.get(UP);
        scheduler.advance(INTERVAL);
        assertThat(owners.sent.get(UP) - before).as("the next round probes once").isEqualTo(1);
        replayer.close();
    }

    private HintStore hints(NodeId owner, int count) {
        HintStore hints = HintStore.open(storage.area(HintStore.AREA), 1_000_000, counters);
        addHints(hints, owner, count);
        return hints;
    }

    private static void addHints(HintStore hints, NodeId owner, int count) {
        for (int i = 0; i < count; i++) {
            hints.add(owner, 1, bytes(owner.name() + "-" + i), SET, NOW).join();
        }
    }

    private HintReplayer start(HintStore hints, BudgetConfig budget, int batch) {
        return start(hints, BackgroundBudget.of(budget, scheduler.clock(), scheduler), batch);
    }

    private HintReplayer start(HintStore hints, BackgroundBudget budget, int batch) {
        // A replica timeout of 50 ms: an owner that stops answering is found out within the test's time.
        CoordinatorConfig config = CoordinatorConfig.defaults().withHintLimits(1_000_000, 3600_000)
                .withTimeouts(2_000, 50).withHintReplay(INTERVAL, batch).withBudget(budget.config());
        NodeServices node = new NodeServices(NodeId.of("self"), storage, owners, new FailureDetectingLiveness(),
                scheduler, scheduler.clock(), config, counters);
        HintReplayer replayer = new HintReplayer(node, hints, budget);
        replayer.start();
        return replayer;
    }

    /**
     * Owners that acknowledge a REPLICA_PUT {@link #LATENCY} ms after it was sent, except those {@link #down}
     * (refused at once) and any after the first {@link #failAfter} (no answer within the timeout, as a node that
     * died). Counts what is in flight. Confined to the simulation thread.
     */
    private final class Owners implements Transport {
        final Map<NodeId, Integer> sent = new HashMap<>();
        final Map<NodeId, List<String>> keys = new HashMap<>();
        final Set<NodeId> down = new HashSet<>();
        final Set<String> acked = new HashSet<>();
        int failAfter = Integer.MAX_VALUE;
        int inFlight;
        int maxInFlight;
        long firstSendNanos = -1;
        long lastSendNanos;
        private final List<Send> sends = new ArrayList<>();

        Set<String> keys(NodeId owner) {
            return new HashSet<>(keys.getOrDefault(owner, List.of()));
        }

        /** The sends to {@code owner} within {@code millis} of the first send. */
        int sentWithin(NodeId owner, long millis) {
            long end = firstSendNanos + TimeUnit.MILLISECONDS.toNanos(millis);
            return (int) sends.stream().filter(s -> s.to.equals(owner) && s.nanos <= end).count();
        }

        @Override
        public NodeId self() {
            return NodeId.of("self");
        }

        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            long now = scheduler.clock().nanoTime();
            firstSendNanos = firstSendNanos < 0 ? now : firstSendNanos;
            lastSendNanos = now;
            sends.add(new Send(now, to));
            int n = sent.merge(to, 1, Integer::sum);
            String key = new String(ReplicaPut.decode(request.bodyUnsafe()).key(), StandardCharsets.UTF_8);
            keys.computeIfAbsent(to, k -> new ArrayList<>()).add(key);
            if (down.contains(to)) {
                return CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNAVAILABLE, to + " is down"));
            }
            CompletableFuture<Message> reply = new CompletableFuture<>();
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            boolean answers = n <= failAfter;
            scheduler.schedule(() -> {
                inFlight--;
                if (answers) {
                    acked.add(key);
                    reply.complete(Message.of(request.opcode(), new byte[0]));
                } else {
                    reply.completeExceptionally(new ChorusException(ErrorCode.TIMEOUT, to + " did not answer"));
                }
            }, answers ? LATENCY : timeoutMillis, TimeUnit.MILLISECONDS);
            return reply;
        }

        @Override
        public void serve(RequestHandler handler) {
        }

        @Override
        public void close() {
        }
    }

    private record Send(long nanos, NodeId to) {
    }
}
