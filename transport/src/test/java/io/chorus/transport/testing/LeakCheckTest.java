package io.chorus.transport.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * The leak check finds a buffer that was never released and names where it was touched. Each test takes the leaks
 * it made itself out of the record, so the extension's check after this class still fails only on real leaks.
 */
class LeakCheckTest {

    @Test
    void aBufferCollectedWithoutReleaseIsReportedWithItsRecords() {
        leak(Unpooled.directBuffer(16), RecordingLeakDetector.DELIBERATE + "unpooled");
        leak(PooledByteBufAllocator.DEFAULT.heapBuffer(16), RecordingLeakDetector.DELIBERATE + "pooled");

        assertThat(LeakCheck.leaksSoFar()).hasSize(2).allSatisfy(leak -> assertThat(leak.resourceType())
                .isEqualTo("ByteBuf")).anySatisfy(leak -> assertThat(leak.records())
                        .contains(RecordingLeakDetector.DELIBERATE + "unpooled", LeakCheckTest.class.getName()))
                .anySatisfy(leak -> assertThat(leak.records()).contains(RecordingLeakDetector.DELIBERATE + "pooled"));
        assertThat(LeakCheck.leaksSoFar()).as("each leak is reported once").isEmpty();
    }

    @Test
    void releasedBuffersAreNotLeaks() {
        ByteBuf buf = Unpooled.directBuffer(16).writeInt(7);
        ByteBuf slice = buf.retainedSlice();
        slice.release();
        buf.release();

        assertThat(LeakCheck.leaksSoFar()).isEmpty();
    }

    /** In its own frame, so the buffer is unreachable once this returns. */
    private static void leak(ByteBuf buf, String hint) {
        buf.touch(hint).writeInt(42);
    }
}
