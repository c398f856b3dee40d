package io.chorus.testkit;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Chooses the seeds of simulation tests and names the seed when one fails, so every failure can be replayed.
 *
 * <pre>{@code
 * @ExtendWith(SimulationSeeds.class)
 * class HintedHandoffTest {
 *     @Test
 *     void hintsReachTheOwnerAfterHeal(Simulation sim) { ... }   // the extension makes the Simulation
 * }
 * }</pre>
 *
 * <p>The seed of a {@link Simulation} parameter is, in order of precedence:
 * <ul>
 *   <li>{@code -Dchorus.seed=<n>} (decimal, or hex with {@code 0x}): replays a failure;</li>
 *   <li>{@code -Dchorus.seed=random}: a fresh seed per test and run, to explore;</li>
 *   <li>otherwise a seed derived from the test's unique id: stable across runs, so CI is reproducible, and
 *       different for each test.</li>
 * </ul>
 * Surefire passes {@code -D} properties of the {@code mvn} command line on to the test JVM.
 *
 * <p>When the test fails, its exception gets a suppressed {@code SeedReport} (printed with the stack trace in the
 * Surefire report) and stderr gets the same line, e.g. {@code Simulation seed 42 failed in GossipTest#converges:
 * replay with mvn -pl <module> test -Dtest=GossipTest#converges -Dchorus.seed=42}.
 * A test that loops over many seeds itself uses {@link #forEachSeed(int, LongConsumer)} for the same report.
 *
 * <p>Thread-safety: stateless (JUnit keeps each test's seed in that test's extension store); safe to share.
 */
public final class SimulationSeeds implements ParameterResolver, TestExecutionExceptionHandler {

    /** The system property that forces a seed ({@code <n>}) or asks for fresh ones ({@code random}). */
    public static final String SEED_PROPERTY = "chorus.seed";

    private static final Namespace NAMESPACE = Namespace.create(SimulationSeeds.class);
    private static final String SEED_KEY = "seed";
    /** Base of the seeds {@link #forEachSeed} walks when no seed is forced. */
    private static final long LOOP_BASE = 0x5EED_7E57L;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Simulation.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        long seed = context.getStore(NAMESPACE).getOrComputeIfAbsent(SEED_KEY,
                key -> chooseSeed(System.getProperty(SEED_PROPERTY), context.getUniqueId()), Long.class);
        return new Simulation(seed);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Long seed = context.getStore(NAMESPACE).get(SEED_KEY, Long.class);
        if (seed != null) {
            String test = context.getRequiredTestClass().getSimpleName()
                    + context.getTestMethod().map(m -> "#" + m.getName()).orElse("");
            report(failure, "Simulation seed " + seed + " failed in " + test + ": replay with mvn -pl <module> test"
                    + " -Dtest=" + test + " -D" + SEED_PROPERTY + "=" + seed);
        }
        throw failure;
    }

    /**
     * Runs {@code body} once per seed: {@code count} seeds from a fixed base (reproducible), or just the one forced
     * by {@code -Dchorus.seed=<n>}, or {@code count} fresh ones with {@code -Dchorus.seed=random}. A failure is
     * rethrown with the failing seed attached, and the rest are skipped.
     */
    public static void forEachSeed(int count, LongConsumer body) {
        String property = System.getProperty(SEED_PROPERTY);
        boolean forced = property != null && !property.isBlank() && !property.trim().equals("random");
        int runs = forced ? 1 : count;
        for (int i = 0; i < runs; i++) {
            long seed = property == null || property.isBlank() ? LOOP_BASE + i * GOLDEN_GAMMA
                    : chooseSeed(property, "");
            try {
                body.accept(seed);
            } catch (RuntimeException | Error failure) {
                report(failure, "Simulation seed " + seed + " failed: replay with -D" + SEED_PROPERTY + "=" + seed);
                throw failure;
            }
        }
    }

    /**
     * The seed for a test: {@code property} parsed as a number, a fresh random one for {@code "random"}, or, when
     * it is null or blank, one derived from {@code testId} (FNV-1a, then SplitMix64's finalizer to spread it).
     */
    public static long chooseSeed(String property, String testId) {
        if (property == null || property.isBlank()) {
            long hash = 0xcbf29ce484222325L;
            for (byte b : testId.getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
            }
            hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
            hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
            return hash ^ (hash >>> 31);
        }
        String value = property.trim();
        if (value.equals("random")) {
            return ThreadLocalRandom.current().nextLong();
        }
        try {
            return Long.decode(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SEED_PROPERTY + " must be a number or 'random': " + value, e);
        }
    }

    private static void report(Throwable failure, String line) {
        failure.addSuppressed(new SeedReport(line));
        System.err.println(line);
    }

    /** Carries the replay line in the failure's report; no stack trace, it would only add noise. */
    static final class SeedReport extends RuntimeException {
        SeedReport(String message) {
            super(message, null, false, false);
        }
    }
}
