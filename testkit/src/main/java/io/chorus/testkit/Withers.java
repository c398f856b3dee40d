package io.chorus.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A check of a record's {@code with*} methods, the project's one way to change a configuration (docs/architecture.md
 * "Configuration style"): each wither changes exactly the components it names, to the values it was given, and
 * copies every other one. It catches a component that a record's builder forgets to copy, or a wither that sets the
 * wrong one, and, since every public wither must have a case, a new wither nobody checked. Stateless.
 */
public final class Withers {

    private Withers() {
    }

    /**
     * One wither call on a base record: {@code name} is the method, {@code call} calls it, {@code changes} maps each
     * component it should change to the value it should then hold (each different from the base's, or the case
     * would prove nothing).
     */
    public record Case<R extends Record>(String name, UnaryOperator<R> call, Map<String, Object> changes) {

        public static <R extends Record> Case<R> of(String name, UnaryOperator<R> call, String component,
                Object value) {
            return new Case<>(name, call, Map.of(component, value));
        }
    }

    /**
     * Checks every case on {@code base}, and that every public {@code with*} method of its class has one. No
     * component of {@code base} may be null, zero or false: a builder that forgot to copy it would leave it so.
     */
    @SafeVarargs
    public static <R extends Record> void check(R base, Case<R>... cases) {
        Class<?> type = base.getClass();
        for (RecordComponent component : type.getRecordComponents()) {
            Object value = value(component, base);
            assertFalse(value == null || value.equals(false) || value instanceof Number n && n.doubleValue() == 0,
                    type.getSimpleName() + "." + component.getName() + " is " + value + " in the base, as it"
                            + " would be if a wither forgot to copy it; give it another value");
        }
        Set<String> withers = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().startsWith("with") && m.getReturnType() == type
                        && !Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> checked = Arrays.stream(cases).map(Case::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(withers, checked, type.getSimpleName() + ": every wither needs a case, and only withers");
        for (Case<R> c : cases) {
            checkOne(base, c);
        }
    }

    private static <R extends Record> void checkOne(R base, Case<R> c) {
        String where = base.getClass().getSimpleName() + "." + c.name() + ": ";
        List<String> names = Arrays.stream(base.getClass().getRecordComponents()).map(RecordComponent::getName)
                .toList();
        assertTrue(names.containsAll(c.changes().keySet()), where + "no such component among " + names);
        R after = c.call().apply(base);
        for (RecordComponent component : base.getClass().getRecordComponents()) {
            String name = component.getName();
            Object before = value(component, base);
            Object now = value(component, after);
            if (c.changes().containsKey(name)) {
                Object expected = c.changes().get(name);
                assertNotEquals(before, expected, where + "the case leaves " + name + " as it was; pick another value");
                assertEquals(expected, now, where + name);
            } else {
                assertEquals(before, now, where + name + " should have been copied");
            }
        }
    }

    private static Object value(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return fail("cannot read " + component.getName(), e);
        }
    }
}
