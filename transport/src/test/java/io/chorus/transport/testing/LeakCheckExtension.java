package io.chorus.transport.testing;

import io.chorus.transport.testing.RecordingLeakDetector.Leak;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty reports a leak (see {@link LeakCheck}). A leak is found when its buffer is
 * collected, so it is charged to the class that just ran or, rarely, to a later one; the report names where the
 * buffer was allocated and last touched. JUnit registers this extension by itself
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension}) in the modules whose Surefire
 * {@code argLine} enables {@code junit.jupiter.extensions.autodetection.enabled}.
 *
 * <p>Thread-safety: stateless.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        List<Leak> leaks = LeakCheck.leaksSoFar();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leak(s) by the end of "
                    + context.getRequiredTestClass().getName() + " (a buffer garbage-collected without release();"
                    + " it may come from an earlier class in this JVM):\n"
                    + leaks.stream().map(Leak::toString).collect(Collectors.joining("\n\n")));
        }
    }
}
