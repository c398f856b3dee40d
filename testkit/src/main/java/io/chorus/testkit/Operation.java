package io.chorus.testkit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A client operation as recorded in a {@link History}: what was asked, and how and when it ended. Immutable: the
 * history replaces the pending record with a completed one.
 *
 * @param id the operation's handle, its position in the history's operations (from 0)
 * @param client the process or client that issued it; one client's operations do not overlap in a well-formed test
 * @param type GET, PUT or DELETE
 * @param key the key
 * @param value the value written: present for PUT only
 * @param context the causal context the client sent (empty for none)
 * @param invokedNanos the history clock's time at invocation
 * @param status how it ended so far
 * @param completedNanos the time it completed; {@link Long#MAX_VALUE} while pending, so a pending operation is
 *     concurrent with everything after its invocation. For INFO it is when the client gave up, not when (or
 *     whether) the operation took effect
 * @param results the values a GET returned (its siblings); empty for writes and unless OK
 * @param resultContext the context the store returned (empty for none or unless OK)
 * @param error the error of a FAIL or INFO
 */
public record Operation(long id, String client, OpType type, Bytes key, Optional<Bytes> value, Bytes context,
                        long invokedNanos, Status status, long completedNanos, List<Bytes> results,
                        Bytes resultContext, Optional<String> error) {

    /** Where an operation stands. */
    public enum Status {
        PENDING,
        /** Acknowledged: it took effect and returned {@code results}. */
        OK,
        /** Definitely did not take effect. */
        FAIL,
        /** Indeterminate: it may have taken effect, or may still. */
        INFO
    }

    public Operation {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(resultContext, "resultContext");
        Objects.requireNonNull(error, "error");
        results = List.copyOf(results);
        if (value.isPresent() != (type == OpType.PUT)) {
            throw new IllegalArgumentException("a value goes with PUT and only PUT: " + type);
        }
    }

    /** True unless it definitely failed: a write a later read may legitimately observe. */
    public boolean mayHaveTakenEffect() {
        return status != Status.FAIL;
    }

    Operation complete(Status outcome, long atNanos, List<Bytes> values, Bytes returnedContext, String failure) {
        return new Operation(id, client, type, key, value, context, invokedNanos, outcome, atNanos, values,
                returnedContext, Optional.ofNullable(failure));
    }
}
