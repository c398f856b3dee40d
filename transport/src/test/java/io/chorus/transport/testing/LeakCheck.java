package io.chorus.transport.testing;

import io.chorus.transport.testing.RecordingLeakDetector.Leak;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds the ByteBufs leaked so far in this JVM. Netty notices a leak only when the garbage collector has
 * collected a buffer that was never released, and only the next time it tracks a new buffer, so
 * {@link #leaksSoFar()} collects garbage and allocates until Netty has reported a canary: a buffer it leaks on
 * purpose just before. A buffer that was unreachable before the canary is found by the same collection, so when
 * the canary is reported, so is every earlier leak.
 *
 * <p>Needs {@link RecordingLeakDetector} installed and Netty's PARANOID level (every buffer tracked, with where it
 * was allocated and last touched), as the Netty modules' Surefire {@code argLine} sets.
 *
 * <p>Thread-safety: call from one thread at a time (JUnit's, after a test class); the leaks reported in between
 * by other threads are picked up.
 */
public final class LeakCheck {

    private static final String CANARY = RecordingLeakDetector.DELIBERATE + "canary-";
    /** Each collection is a full GC of a small heap, some milliseconds; the canary is normally found by the first. */
    private static final int MAX_COLLECTIONS = 50;
    private static final AtomicLong CANARIES = new AtomicLong();

    private LeakCheck() {
    }

    /**
     * The leaks of every resource type reported since the last call, leaked canaries aside.
     *
     * @throws IllegalStateException when leak detection is not set up, or did not find the canary
     */
    public static List<Leak> leaksSoFar() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("Netty's leak detection level is " + ResourceLeakDetector.getLevel()
                    + "; the tests need -Dio.netty.leakDetection.level=paranoid");
        }
        String canary = CANARY + CANARIES.incrementAndGet();
        leakCanary(canary);
        if (!RecordingLeakDetector.detects(ByteBuf.class)) {
            throw new IllegalStateException("Netty's ByteBuf leak detector is not the recording one; the tests need"
                    + " -Dio.netty.customResourceLeakDetector=" + RecordingLeakDetector.class.getName());
        }
        List<Leak> leaks = new ArrayList<>();
        boolean found = false;
        for (int i = 0; i < MAX_COLLECTIONS && !found; i++) {
            found = collect(canary, leaks);
        }
        if (!found) {
            throw new IllegalStateException("Netty did not report a buffer leaked on purpose after "
                    + MAX_COLLECTIONS + " garbage collections: leaks cannot be detected in this JVM");
        }
        // The references that collection found reach Netty's queue one by one; take one more turn for stragglers.
        collect(canary, leaks);
        return leaks;
    }

    /** One GC and one poll of the detector's queue; true if the canary was among the reports. */
    private static boolean collect(String canary, List<Leak> leaks) {
        System.gc();
        // Netty polls the queue of collected, unreleased buffers whenever it starts tracking a new one (it tracks
        // direct buffers, and pooled heap ones; an unpooled heap buffer needs no release and is not tracked).
        Unpooled.directBuffer(1).release();
        boolean found = false;
        for (Leak leak : RecordingLeakDetector.drain()) {
            if (leak.records().contains(canary)) {
                found = true;
            } else if (!leak.records().contains(CANARY)) {
                leaks.add(leak);
            }
        }
        return found;
    }

    /** In its own frame, so that nothing on the caller's stack keeps the buffer reachable. */
    private static void leakCanary(String hint) {
        Unpooled.directBuffer(1).touch(hint);
    }
}
