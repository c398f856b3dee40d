package io.chorus.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reader/exclusive protocol of {@link ReadGate} with fake slots, no LMDB involved. */
class ReadGateTest {

    /** Counts snapshot releases instead of resetting a transaction. */
    static final class FakeSlot extends ReadGate.Slot {
        final AtomicInteger released = new AtomicInteger();

        @Override
        void releaseSnapshot() {
            released.incrementAndGet();
        }
    }

    private final ReadGate gate = new ReadGate();

    @Test
    void exclusiveWaitsForActiveReaderAndNewReadersWaitForExclusive() throws Exception {
        FakeSlot reader = new FakeSlot();
        gate.register(reader);
        assertThat(gate.enter(reader)).isEqualTo(ReadGate.Slot.IDLE);

        AtomicBoolean inside = new AtomicBoolean();
        CompletableFuture<Void> exclusive = CompletableFuture.runAsync(() -> gate.runExclusive(() -> {
            assertThat(reader.state()).isNotEqualTo(ReadGate.Slot.ACTIVE);
            inside.set(true);
        }));
        // The reader is still inside: the exclusive action must stay blocked.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !exclusive.isDone());
        assertThat(inside).isFalse();
        gate.exit(reader, false);
        exclusive.get(10, TimeUnit.SECONDS);
        assertThat(inside).isTrue();

        // Open again: a reader enters at once.
        assertThat(gate.enter(reader)).isEqualTo(ReadGate.Slot.IDLE);
        gate.exit(reader, true);
        assertThat(reader.state()).isEqualTo(ReadGate.Slot.PARKED);
    }

    @Test
    void parkedSnapshotsAreReclaimedAfterCommitAndBeforeExclusive() {
        FakeSlot a = new FakeSlot();
        FakeSlot b = new FakeSlot();
        gate.register(a);
        gate.register(b);
        gate.enter(a);
        gate.exit(a, true);

        gate.reclaimParked();
        assertThat(a.released).hasValue(1);
        assertThat(a.state()).isEqualTo(ReadGate.Slot.IDLE);
        assertThat(b.released).hasValue(0);

        gate.enter(b);
        gate.exit(b, true);
        gate.runExclusive(() -> assertThat(b.state()).isEqualTo(ReadGate.Slot.IDLE));
        assertThat(b.released).hasValue(1);

        // The next enter reports IDLE, so the reader knows to renew.
        assertThat(gate.enter(b)).isEqualTo(ReadGate.Slot.IDLE);
        gate.exit(b, true);
        assertThat(gate.enter(b)).isEqualTo(ReadGate.Slot.PARKED);
    }

    @Test
    void closedGateTurnsReadersAwayAndReleasesTheirSnapshots() {
        FakeSlot parked = new FakeSlot();
        gate.register(parked);
        gate.enter(parked);
        gate.exit(parked, true);
        AtomicBoolean tornDown = new AtomicBoolean();

        gate.close(() -> tornDown.set(true));

        assertThat(tornDown).isTrue();
        assertThat(parked.released).hasValue(1);
        assertThatThrownBy(() -> gate.enter(parked)).isInstanceOfSatisfying(ChorusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(gate.tryEnter(parked)).isEqualTo(-1);
        assertThat(parked.state()).isEqualTo(ReadGate.Slot.IDLE);
    }
}
