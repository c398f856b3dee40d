package io.chorus.transport.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A Netty leak detector that remembers every leak it reports (and still logs it as Netty does), so that a test can
 * fail on it instead of leaving a log line nobody reads. Netty creates one per resource type (ByteBuf,
 * HashedWheelTimer, ...) when the JVM runs with {@code -Dio.netty.customResourceLeakDetector=}this class, as the
 * Surefire {@code argLine} of every module whose tests use Netty does; {@link LeakCheck} reads what it recorded.
 *
 * <p>Thread-safety: thread-safe; Netty reports from whichever thread tracks the next resource. What it recorded is
 * static because Netty makes the detectors itself, by reflection, with no way to hand them a collector.
 */
public class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

    /** A reported leak: the resource's simple type name and Netty's access records (empty when untraced). */
    public record Leak(String resourceType, String records) {
        @Override
        public String toString() {
            return "LEAK of a " + resourceType + (records.isEmpty() ? " (untraced)" : ":" + records);
        }
    }

    /**
     * Starts the hint ({@code buf.touch(hint)}) of a buffer leaked on purpose: recorded like any leak, but not
     * logged, so the log's LEAK lines are all real.
     */
    public static final String DELIBERATE = "chorus-deliberate-leak:";

    private static final Queue<Leak> REPORTED = new ConcurrentLinkedQueue<>();
    private static final Set<Class<?>> DETECTING = ConcurrentHashMap.newKeySet();

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        DETECTING.add(resourceType);
    }

    /** Netty's factory looks this older form up first and logs an error if it is missing; maxActive is unused. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Netty skips reporting when its logger is quiet at ERROR; a test must see the leak regardless. */
    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        REPORTED.add(new Leak(resourceType, records));
        if (!records.contains(DELIBERATE)) {
            super.reportTracedLeak(resourceType, records);
        }
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        REPORTED.add(new Leak(resourceType, ""));
        super.reportUntracedLeak(resourceType);
    }

    /** Whether Netty made one of these for {@code resourceType} (false: the system property is missing or wrong). */
    static boolean detects(Class<?> resourceType) {
        return DETECTING.contains(resourceType);
    }

    /** The leaks reported since the last call, oldest first. */
    static List<Leak> drain() {
        List<Leak> leaks = new ArrayList<>();
        for (Leak leak = REPORTED.poll(); leak != null; leak = REPORTED.poll()) {
            leaks.add(leak);
        }
        return leaks;
    }
}
