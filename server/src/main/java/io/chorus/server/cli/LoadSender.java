package io.chorus.server.cli;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import io.chorus.client.RequestOptions;
import io.chorus.core.error.ChorusException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writes of {@code chorus load}: at most {@code concurrency} in flight (a semaphore's permits), results counted
 * as they complete, failures by error code with the first message and line of each.
 *
 * <p>Thread-safety: {@link #acquire}, {@link #send} and {@link #drain} are called by the reading thread alone; the
 * completions run on the client's threads and touch only the counters and the failure map, which are safe to share.
 */
final class LoadSender {

    /** One error code's failures: how many, and the message and line of the first to complete. */
    record Failure(long count, String message, long firstLine) {
    }

    private final ChorusClient client;
    private final RequestOptions request;
    private final boolean update;
    private final int concurrency;
    private final Semaphore slots;
    private final AtomicLong loaded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, Failure> failures = new TreeMap<>();

    LoadSender(ChorusClient client, RequestOptions request, boolean update, int concurrency) {
        this.client = client;
        this.request = request;
        this.update = update;
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency);
    }

    /** Takes a slot for the next write; false when none freed up within {@code millis} (time to redraw). */
    boolean acquire(long millis) throws InterruptedException {
        return slots.tryAcquire(millis, TimeUnit.MILLISECONDS);
    }

    /** Sends {@code record} in the slot {@link #acquire} took; the slot is given back when the write completes. */
    void send(LoadFormat.Record record, long line) {
        CompletableFuture<ChorusObject> write;
        try {
            byte[] value = record.value();
            // The resolver ignores what the key held: the file's value replaces every sibling.
            write = update ? client.updateAsync(record.key(), found -> value, request)
                    : client.putAsync(record.key(), value, null, request);
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e);
        }
        write.whenComplete((ok, failure) -> {
            if (failure == null) {
                loaded.incrementAndGet();
            } else {
                fail(failure, line);
            }
            slots.release();
        });
    }

    /** True once every write sent has completed; false when some are still in flight after {@code millis}. */
    boolean drain(long millis) throws InterruptedException {
        if (!slots.tryAcquire(concurrency, millis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        slots.release(concurrency);
        return true;
    }

    long loaded() {
        return loaded.get();
    }

    long failed() {
        return failed.get();
    }

    long completed() {
        return loaded.get() + failed.get();
    }

    /** The failures by error code, in code order; a copy. */
    synchronized Map<String, Failure> failures() {
        return new TreeMap<>(failures);
    }

    /** {@code " (TIMEOUT 3, BAD_REQUEST 1)"}, or nothing when no write failed. */
    synchronized String failedByCode() {
        if (failures.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(" (");
        failures.forEach((code, f) -> b.append(b.length() > 2 ? ", " : "").append(code).append(' ').append(f.count()));
        return b.append(')').toString();
    }

    private synchronized void fail(Throwable failure, long line) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String code = cause instanceof ChorusException ce ? ce.code().name()
                : cause instanceof TimeoutException ? "TIMEOUT" : cause.getClass().getSimpleName();
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        failures.merge(code, new Failure(1, message, line),
                (old, one) -> new Failure(old.count() + 1, old.message(), old.firstLine()));
        failed.incrementAndGet();
    }
}
