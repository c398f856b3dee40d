package io.chorus.core.causal;

import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Seeds for the randomized law tests, and the report that names the seed of a failure so it can be replayed.
 * testkit's {@code SimulationSeeds.forEachSeed} does the same for the other modules; core's tests cannot use it
 * (testkit depends on core), so this is its twin for core, with the same properties:
 * <ul>
 *   <li>{@code -Dchorus.seed=<n>} (decimal, or hex with {@code 0x}): only that seed, to replay a failure;</li>
 *   <li>{@code -Dchorus.seed=random}: {@code count} fresh seeds, to explore;</li>
 *   <li>{@code -Dchorus.seedBase=<n>}: {@code count} seeds derived from that base instead of the fixed one, so a
 *       whole exploring run (CI's seeded pass) can be repeated;</li>
 *   <li>otherwise {@code count} seeds from a fixed base, so CI is reproducible.</li>
 * </ul>
 * A class that loops over seeds must carry {@code @Tag("seeded")}: CI's seeded pass selects by that tag, and an
 * untagged class would never meet fresh seeds, so {@link #forEach} refuses to run for one.
 *
 * <p>Thread-safety: stateless; reads system properties on each call.
 */
final class Seeds {

    static final String SEED_PROPERTY = "chorus.seed";
    static final String BASE_PROPERTY = "chorus.seedBase";
    /** The JUnit tag of every test whose randomness follows {@code -Dchorus.seed}: CI's seeded pass runs those. */
    static final String TAG = "seeded";

    private static final long BASE = 0x5EED_C0DEL;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /**
     * Runs {@code body} once per seed of {@link #seeds(int)}. When it throws (an assertion or anything else, such as
     * an {@code ArrayIndexOutOfBoundsException} in the code under test), the rest are skipped and an
     * {@link AssertionError} is thrown whose message names the seed and the command that replays it, with the
     * failure as its cause; the same line goes to stderr.
     */
    static void forEach(int count, LongConsumer body) {
        StackWalker.StackFrame caller = testMethod();
        requireTag(caller.getDeclaringClass());
        seeds(count).forEach(seed -> {
            try {
                body.accept(seed);
            } catch (RuntimeException | Error failure) {
                if (failure instanceof VirtualMachineError) {
                    System.err.println(replayLine(caller, seed));
                    throw failure;
                }
                String line = replayLine(caller, seed);
                System.err.println(line);
                throw new AssertionError(line + "\n" + failure, failure);
            }
        });
    }

    /**
     * {@code count} seeds from the fixed base or from {@code -Dchorus.seedBase}; the one seed {@code -Dchorus.seed=<n>}
     * names; or, with {@code -Dchorus.seed=random}, {@code count} fresh ones.
     */
    static LongStream seeds(int count) {
        String fixed = System.getProperty(SEED_PROPERTY);
        if (fixed == null || fixed.isBlank()) {
            String base = System.getProperty(BASE_PROPERTY);
            long start = base == null || base.isBlank() ? BASE : parse(BASE_PROPERTY, base);
            return LongStream.range(0, count).map(i -> start + i * GOLDEN_GAMMA);
        }
        if (fixed.trim().equals("random")) {
            return new SplittableRandom().longs(count);
        }
        return LongStream.of(parse(SEED_PROPERTY, fixed));
    }

    /** The seed as {@code -Dchorus.seed} takes it back: {@code 0x} and 64 bits of unsigned hex. */
    static String hex(long seed) {
        return "0x" + Long.toHexString(seed);
    }

    /**
     * A decimal number, or hex with {@code 0x} up to 64 bits (so every {@link #hex} output parses back, including
     * those with the top bit set, which {@link Long#decode} rejects).
     */
    static long parse(String property, String text) {
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
            throw new IllegalArgumentException("-D" + property + " must be a number or 'random': " + text, e);
        }
    }

    private static String replayLine(StackWalker.StackFrame caller, long seed) {
        String test = caller.getDeclaringClass().getSimpleName() + "#" + caller.getMethodName();
        return test + " failed with seed " + hex(seed) + ": replay with mvn -pl core test -Dtest=" + test
                + " -D" + SEED_PROPERTY + "=" + hex(seed);
    }

    /** The test method on the stack, for the replay line; else the nearest caller. */
    private static StackWalker.StackFrame testMethod() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
            List<StackWalker.StackFrame> callers = frames.filter(f -> f.getDeclaringClass() != Seeds.class).toList();
            return callers.stream().filter(Seeds::isTestMethod).findFirst().orElse(callers.get(0));
        });
    }

    private static boolean isTestMethod(StackWalker.StackFrame frame) {
        return Arrays.stream(frame.getDeclaringClass().getDeclaredMethods())
                .anyMatch(m -> m.getName().equals(frame.getMethodName())
                        && AnnotationSupport.isAnnotated(m, Testable.class));
    }

    /** The class or an enclosing one (JUnit passes a class's tags on to its {@code @Nested} inner classes). */
    private static void requireTag(Class<?> caller) {
        for (Class<?> c = caller; c != null; c = isInner(c) ? c.getEnclosingClass() : null) {
            if (AnnotationSupport.findRepeatableAnnotations(c, Tag.class).stream()
                    .anyMatch(tag -> tag.value().equals(TAG))) {
                return;
            }
        }
        throw new IllegalStateException(caller.getName() + " loops over seeds but lacks @Tag(\"" + TAG
                + "\"), so CI's pass with fresh seeds would skip it");
    }

    private static boolean isInner(Class<?> c) {
        return c.getEnclosingClass() != null && !Modifier.isStatic(c.getModifiers());
    }
}
