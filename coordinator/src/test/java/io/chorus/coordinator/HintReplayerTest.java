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
import io.chorus.storage.AreaVisitor;
import io.chorus.storage.KeyValueArea;
import io.chorus.storage.MemoryStorageEngine;
import io.chorus.testkit.VirtualScheduler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One replay round on its own: what it sends, deletes and drops, and how much of the hint store it reads. The rate
 * and concurrency of a catch-up are in {@link HintCatchUpTest}.
 */
class HintReplayerTest {

    private static final NodeId DOWN = NodeId.of("down");
    private static final NodeId UP = NodeId.of("up");
    private static final SiblingSet SET = SiblingSet.empty()
            .update(VersionVector.empty(), ActorId.of("a", 1), bytes("v"), 7);
    private static final long NOW = 1_000_000;
    private static final int BATCH = 10;

    private final MemoryStorageEngine storage = new MemoryStorageEngine(1);
    private final WatchedArea area = new WatchedArea(storage.area(HintStore.AREA));
    private final Counters counters = new Counters();
    private final OwnersTransport transport = new OwnersTransport();
    private final VirtualScheduler scheduler = new VirtualScheduler(NOW);
    private final CoordinatorConfig config = CoordinatorConfig.defaults().withHintLimits(10_000, 10_000)
            .withHintReplay(500, BATCH);

    @Test
    void aRoundReadsTheExpiredHintsAndOnlyTheProbeOfADownOwnerNotTheWholeBacklog() {
        HintStore hints = HintStore.open(area, 10_000, counters);
        for (int i = 0; i < 3; i++) {
            hints.add(DOWN, 1, bytes("old-" + i), SET, 0).join();
        }
        for (int i = 0; i < 500; i++) {
            hints.add(DOWN, 1, bytes("k-" + i), SET, NOW).join();
        }
        for (int i = 0; i < 2; i++) {
            hints.add(UP, 1, bytes("u-" + i), SET, NOW).join();
        }
        area.visits.set(0);
        replayer(hints).round();
        // The round's batches after the probes run on the scheduler; the next round is not due yet.
        scheduler.advance(config.hintReplayIntervalMillis() - 1);

        // A turn opens with a probe of one hint; the down owner's failed, so its turn read nothing more.
        assertThat(area.visits).as("3 expired + the probe for the down owner, 2 for the other").hasValue(3 + 1 + 2);
        assertThat(counters.snapshot().hintsDropped()).isEqualTo(3);
        assertThat(transport.sent).containsEntry(DOWN, 1).containsEntry(UP, 2);
        assertThat(counters.snapshot().hintsDelivered()).isEqualTo(2);
        assertThat(area.count()).as("the down owner's 500 wait").isEqualTo(500);
    }

    @Test
    void ownersWithHintsAreRecoveredOnReopenAndTheirHintsReplayed() {
        HintStore first = HintStore.open(area, 10_000, counters);
        first.add(UP, 1, bytes("k"), SET, NOW).join();
        HintStore reopened = HintStore.open(area, 10_000, counters);
        assertThat(reopened.owners()).containsExactly(UP);
        replayer(reopened).round();
        assertThat(transport.sent).containsEntry(UP, 1);
        assertThat(area.count()).isZero();
    }

    @Test
    void recordsWithUnreadableKeysAreDroppedOnOpen() {
        area.put(new byte[] {1, 2, 3}, new byte[] {9}).join();
        // An owner name that is not valid UTF-8 would decode as some other name, whose range it is not in.
        byte[] badName = {(byte) 0xC3, '(', 0, 0, 0, 0, 0, 0, 0, 0, 5};
        area.put(badName, new byte[] {9}).join();
        HintStore hints = HintStore.open(area, 10_000, counters);
        assertThat(hints.owners()).isEmpty();
        assertThat(area.count()).isZero();
        assertThat(counters.snapshot().hintsDropped()).isEqualTo(2);
    }

    @Test
    void aRoundWhoseScanFailsIsTriedAgainNextRound() {
        HintStore hints = HintStore.open(area, 10_000, counters);
        hints.add(UP, 1, bytes("k"), SET, NOW).join();
        HintReplayer replayer = replayer(hints);
        area.failNextScan = true;
        replayer.start();
        scheduler.advance(config.hintReplayIntervalMillis());
        assertThat(transport.sent).isEmpty();
        scheduler.advance(config.hintReplayIntervalMillis());
        assertThat(transport.sent).containsEntry(UP, 1);
        assertThat(area.count()).isZero();
        replayer.close();
    }

    private HintReplayer replayer(HintStore hints) {
        NodeServices node = new NodeServices(NodeId.of("self"), storage, transport, new FailureDetectingLiveness(),
                scheduler, scheduler.clock(), config, counters);
        return new HintReplayer(node, hints, BackgroundBudget.of(config.budget(), scheduler.clock(), scheduler));
    }

    /** Answers requests to {@link #UP}, fails those to anyone else as unreachable; counts them per target. */
    private static final class OwnersTransport implements Transport {
        final Map<NodeId, Integer> sent = new ConcurrentHashMap<>();

        @Override
        public NodeId self() {
            return NodeId.of("self");
        }

        @Override
        public CompletableFuture<Message> request(NodeId to, Message request, long timeoutMillis) {
            sent.merge(to, 1, Integer::sum);
            return to.equals(UP) ? CompletableFuture.completedFuture(Message.of(request.opcode(), new byte[0]))
                    : CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNAVAILABLE, to + " is down"));
        }

        @Override
        public void serve(RequestHandler handler) {
        }

        @Override
        public void close() {
        }
    }

    /** The hint area, counting the records that scans hand to their visitors; it can fail a scan once. */
    private static final class WatchedArea implements KeyValueArea {
        final AtomicInteger visits = new AtomicInteger();
        volatile boolean failNextScan;
        private final KeyValueArea area;

        WatchedArea(KeyValueArea area) {
            this.area = area;
        }

        @Override
        public String name() {
            return area.name();
        }

        @Override
        public Optional<byte[]> get(byte[] key) {
            return area.get(key);
        }

        @Override
        public CompletableFuture<Void> put(byte[] key, byte[] value) {
            return area.put(key, value);
        }

        @Override
        public CompletableFuture<Boolean> delete(byte[] key) {
            return area.delete(key);
        }

        @Override
        public void scan(byte[] prefix, AreaVisitor visitor) {
            if (failNextScan) {
                failNextScan = false;
                throw new IllegalStateException("disk error (injected)");
            }
            area.scan(prefix, (key, value) -> {
                visits.incrementAndGet();
                return visitor.visit(key, value);
            });
        }

        @Override
        public long count() {
            return area.count();
        }
    }
}
