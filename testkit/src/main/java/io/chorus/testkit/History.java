package io.chorus.testkit;

import io.chorus.core.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Records what clients asked a store and what they were told, for checkers that judge a run afterwards (no
 * acknowledged write lost, no deleted value resurrected...). Each operation is invoked once and completes at most
 * once: {@link #ok} (it took effect), {@link #fail} (it definitely did not) or {@link #info} (unknown: a timeout may
 * hide a write that was applied, or will be). Operations left pending are indeterminate too.
 *
 * <p>Keys, values and contexts are opaque bytes, copied on the way in; times come from the given {@link Clock}
 * (the simulation's virtual clock, or {@link Clock#system()} for tests on real threads).
 *
 * <p>Thread-safety: thread-safe; clients on several threads may record concurrently. Each event reads the clock
 * and takes its index under one lock, so index order is recording order and, with a monotonic clock, time order.
 * Queries return immutable snapshots.
 */
public final class History {

    private final Clock clock;
    /** A private monitor: callers locking the History itself cannot stall or interleave with recording. */
    private final Object lock = new Object();
    private final List<HistoryEvent> events = new ArrayList<>();
    private final List<Operation> operations = new ArrayList<>();

    public History(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records that {@code client} invoked an operation and returns its handle. {@code value} is required for a PUT
     * and must be null otherwise; a null {@code context} means none.
     */
    public long invoke(String client, OpType type, byte[] key, byte[] value, byte[] context) {
        Objects.requireNonNull(type, "type");
        Optional<Bytes> written = Optional.ofNullable(value).map(Bytes::of);
        Bytes keyBytes = Bytes.of(key);
        Bytes contextBytes = context == null ? Bytes.empty() : Bytes.of(context);
        synchronized (lock) {
            long id = operations.size();
            long now = clock.nanoTime();
            operations.add(new Operation(id, client, type, keyBytes, written, contextBytes, now,
                    Operation.Status.PENDING, Long.MAX_VALUE, List.of(), Bytes.empty(), Optional.empty()));
            events.add(new HistoryEvent(events.size(), now, id, HistoryEvent.Kind.INVOKE));
            return id;
        }
    }

    /** Records that the operation succeeded with no result to check (a write whose context is not kept). */
    public void ok(long opId) {
        ok(opId, List.of(), null);
    }

    /** Records that the operation succeeded, returning {@code values} (a GET's siblings) and {@code context}. */
    public void ok(long opId, List<byte[]> values, byte[] context) {
        List<Bytes> results = values.stream().map(Bytes::of).toList();
        complete(opId, Operation.Status.OK, results, context == null ? Bytes.empty() : Bytes.of(context), null);
    }

    /** Records that the operation definitely did not take effect. */
    public void fail(long opId, String error) {
        complete(opId, Operation.Status.FAIL, List.of(), Bytes.empty(), Objects.requireNonNull(error, "error"));
    }

    /** Records that the client gave up without knowing whether the operation took effect. */
    public void info(long opId, String error) {
        complete(opId, Operation.Status.INFO, List.of(), Bytes.empty(), Objects.requireNonNull(error, "error"));
    }

    private void complete(long opId, Operation.Status status, List<Bytes> results, Bytes context, String error) {
        synchronized (lock) {
            Operation op = operation(opId);
            if (op.status() != Operation.Status.PENDING) {
                throw new IllegalStateException("operation " + opId + " already completed as " + op.status());
            }
            long now = clock.nanoTime();
            operations.set((int) opId, op.complete(status, now, results, context, error));
            events.add(new HistoryEvent(events.size(), now, opId, HistoryEvent.Kind.valueOf(status.name())));
        }
    }

    /** The operation with handle {@code opId}, as it stands now. */
    public Operation operation(long opId) {
        synchronized (lock) {
            if (opId < 0 || opId >= operations.size()) {
                throw new IllegalArgumentException("no operation " + opId);
            }
            return operations.get((int) opId);
        }
    }

    /** Every operation, in invocation order. */
    public List<Operation> operations() {
        synchronized (lock) {
            return List.copyOf(operations);
        }
    }

    /** Every event, in recording order. */
    public List<HistoryEvent> events() {
        synchronized (lock) {
            return List.copyOf(events);
        }
    }

    /** The operations matching {@code filter}, in invocation order. */
    public List<Operation> select(Predicate<Operation> filter) {
        return operations().stream().filter(filter).toList();
    }

    /** Operations of {@code type} that completed OK. */
    public List<Operation> acknowledged(OpType type) {
        return select(op -> op.type() == type && op.status() == Operation.Status.OK);
    }

    /** Puts that completed OK: the writes a store must not lose. */
    public List<Operation> acknowledgedPuts() {
        return acknowledged(OpType.PUT);
    }

    public List<Operation> withStatus(Operation.Status status) {
        return select(op -> op.status() == status);
    }

    /** Operations that ended INFO (pending ones are indeterminate too: see {@link #withStatus}). */
    public List<Operation> indeterminate() {
        return withStatus(Operation.Status.INFO);
    }

    public List<Operation> forKey(byte[] key) {
        Bytes k = Bytes.of(key);
        return select(op -> op.key().equals(k));
    }

    /** How many operations were invoked. */
    public int size() {
        synchronized (lock) {
            return operations.size();
        }
    }
}
