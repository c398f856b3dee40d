package io.chorus.testkit;

import java.nio.charset.StandardCharsets;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Chooses the seeds of simulation tests and names the seed when one fails, so every failure can be replayed.
 *
 * <pre>{@code
 * @Tag("seeded")
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
 *   <li>{@code -Dchorus.seedBase=<n>}: a seed derived from the test's unique id and that base, so a whole run
 *       with fresh seeds (CI's seeded pass) can be repeated;</li>
 *   <li>otherwise a seed derived from the test's unique id: stable across runs, so CI is reproducible, and
 *       different for each test.</li>
 * </ul>
 * Surefire passes {@code -D} properties of the {@code mvn} command line on to the test JVM. Seeds are printed in
 * hex ({@code 0x} and up to 16 digits), which {@code -Dchorus.seed} takes back.
 *
 * <p>When the test fails, its exception gets a suppressed {@code SeedReport} (printed with the stack trace in the
 * Surefire report) and stderr gets the same line, e.g. {@code Simulation seed 0x2a failed in GossipTest#converges:
 * replay with mvn test -pl <module> -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=GossipTest#converges
 * -Dchorus.seed=0x2a}.
 * A test that loops over many seeds itself uses {@link #forEachSeed(int, LongConsumer)} for the same report.
 *
 * <p>Every class whose randomness follows these properties carries {@code @Tag("seeded")} ({@link #TAG}): CI's
 * pass with fresh seeds runs exactly those, so the extension and {@link #forEachSeed} refuse to run in a class
 * without it (an untagged class would silently never meet a fresh seed).
 *
 * <p>Thread-safety: stateless (JUnit keeps each test's seed in that test's extension store); safe to share.
 */
public final class SimulationSeeds implements ParameterResolver, TestExecutionExceptionHandler {

    /** The system property that forces a seed ({@code <n>}) or asks for fresh ones ({@code random}). */
    public static final String SEED_PROPERTY = "chorus.seed";
    /** The system property that moves every default seed, for a repeatable run with fresh seeds. */
    public static final String BASE_PROPERTY = "chorus.seedBase";
    /** The JUnit tag of every test class whose randomness follows {@link #SEED_PROPERTY}. */
    public static final String TAG = "seeded";

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
        if (!context.getTags().contains(TAG)) {
            throw new ParameterResolutionException(untagged(context.getRequiredTestClass()));
        }
        long seed = context.getStore(NAMESPACE).getOrComputeIfAbsent(SEED_KEY,
                key -> seedFor(context.getUniqueId()), Long.class);
        return new Simulation(seed);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Long seed = context.getStore(NAMESPACE).get(SEED_KEY, Long.class);
        if (seed != null) {
            String test = context.getRequiredTestClass().getSimpleName()
                    + context.getTestMethod().map(m -> "#" + m.getName()).orElse("");
            report(failure, replayLine(seed, test));
        }
        throw failure;
    }

    /**
     * Runs {@code body} once per seed: {@code count} seeds from a fixed base (reproducible) or from
     * {@code -Dchorus.seedBase}, or just the one forced by {@code -Dchorus.seed=<n>}, or {@code count} fresh ones
     * with {@code -Dchorus.seed=random}. A failure is rethrown with the failing seed attached, and the rest are
     * skipped. The calling test's class must carry {@code @Tag("seeded")}.
     */
    public static void forEachSeed(int count, LongConsumer body) {
        StackWalker.StackFrame caller = testMethod();
        requireTag(caller.getDeclaringClass());
        String property = System.getProperty(SEED_PROPERTY);
        boolean unset = property == null || property.isBlank();
        boolean forced = !unset && !property.trim().equals("random");
        String base = System.getProperty(BASE_PROPERTY);
        long start = base == null || base.isBlank() ? LOOP_BASE : parse(BASE_PROPERTY, base);
        int runs = forced ? 1 : count;
        for (int i = 0; i < runs; i++) {
            long seed = unset ? start + i * GOLDEN_GAMMA : chooseSeed(property, "");
            try {
                body.accept(seed);
            } catch (RuntimeException | Error failure) {
                report(failure, replayLine(seed,
                        caller.getDeclaringClass().getSimpleName() + "#" + caller.getMethodName()));
                throw failure;
            }
        }
    }

    /** The seed of the test {@code testId} under this JVM's {@code -Dchorus.seed} and {@code -Dchorus.seedBase}. */
    public static long seedFor(String testId) {
        return chooseSeed(System.getProperty(SEED_PROPERTY), System.getProperty(BASE_PROPERTY), testId);
    }

    /**
     * The seed for a test: {@code property} parsed as a number, a fresh random one for {@code "random"}, or, when
     * it is null or blank, one derived from {@code testId} (FNV-1a, then SplitMix64's finalizer to spread it).
     */
    public static long chooseSeed(String property, String testId) {
        return chooseSeed(property, null, testId);
    }

    /** As {@link #chooseSeed(String, String)}; a non-blank {@code base} moves the seed derived from the test id. */
    public static long chooseSeed(String property, String base, String testId) {
        if (property == null || property.isBlank()) {
            long hash = 0xcbf29ce484222325L;
            for (byte b : testId.getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
            }
            if (base != null && !base.isBlank()) {
                hash ^= parse(BASE_PROPERTY, base);
            }
            hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
            hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
            return hash ^ (hash >>> 31);
        }
        String value = property.trim();
        if (value.equals("random")) {
            return ThreadLocalRandom.current().nextLong();
        }
        return parse(SEED_PROPERTY, value);
    }

    /** A seed as {@code -Dchorus.seed} takes it back: {@code 0x} and 64 bits of unsigned hex. */
    public static String hex(long seed) {
        return "0x" + Long.toHexString(seed);
    }

    /** The line that tells how to replay {@code test} (a simple class name, {@code #}, a method) with {@code seed}. */
    public static String replayLine(long seed, String test) {
        return "Simulation seed " + hex(seed) + " failed in " + test + ": replay with mvn test -pl <module> -am"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dtest=" + test + " -D" + SEED_PROPERTY + "=" + hex(seed);
    }

    /**
     * A decimal number, or hex with {@code 0x} up to 64 bits (every {@link #hex} output, including those with the
     * top bit set, which {@link Long#decode} rejects).
     */
    private static long parse(String name, String text) {
        String value = text.trim();
        boolean negative = value.startsWith("-");
        String digits = negative ? value.substring(1) : value;
        try {
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                long magnitude = Long.parseUnsignedLong(digits.substring(2), 16);
                return negative ? -magnitude : magnitude;
            }
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a number or 'random': " + value, e);
        }
    }

    /** The test method on the stack (for the replay line and the tag check); else the nearest caller. */
    private static StackWalker.StackFrame testMethod() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
            List<StackWalker.StackFrame> callers =
                    frames.filter(f -> f.getDeclaringClass() != SimulationSeeds.class).toList();
            return callers.stream().filter(SimulationSeeds::isTestMethod).findFirst().orElse(callers.get(0));
        });
    }

    private static boolean isTestMethod(StackWalker.StackFrame frame) {
        return Arrays.stream(frame.getDeclaringClass().getDeclaredMethods())
                .anyMatch(m -> m.getName().equals(frame.getMethodName())
                        && AnnotationSupport.isAnnotated(m, Testable.class));
    }

    /** The class or one enclosing it (JUnit passes a class's tags on to its {@code @Nested} inner classes). */
    private static void requireTag(Class<?> caller) {
        for (Class<?> c = caller; c != null; c = isInner(c) ? c.getEnclosingClass() : null) {
            if (AnnotationSupport.findRepeatableAnnotations(c, Tag.class).stream()
                    .anyMatch(tag -> tag.value().equals(TAG))) {
                return;
            }
        }
        throw new IllegalStateException(untagged(caller));
    }

    private static String untagged(Class<?> test) {
        return test.getName() + " uses seeds but lacks @Tag(\"" + TAG + "\"), so CI's pass with fresh seeds would"
                + " skip it";
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

    private static boolean isInner(Class<?> c) {
        return c.getEnclosingClass() != null && !Modifier.isStatic(c.getModifiers());
    }
}
