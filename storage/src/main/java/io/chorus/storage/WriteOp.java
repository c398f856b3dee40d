package io.chorus.storage;

import java.util.concurrent.CompletableFuture;

/**
 * One queued write: applied by the writer inside a batch transaction, completed after the batch commits.
 *
 * <p>Contract of {@link #apply}: check everything that can make the op fail on its own (limits, decoding, the
 * caller's function) <em>before</em> the first write through the {@link WriteContext}; an exception thrown then
 * fails only this op and the batch goes on. An exception after the first write poisons the transaction; the
 * writer then fails this op and retries the others in a fresh transaction. Because a batch may be retried (after
 * map growth), apply may run several times; only the outcome of the committed attempt is reported.
 *
 * <p>Confined to the writer thread once queued, except {@link #future} and {@link #fail}, which are thread-safe.
 */
abstract class WriteOp<T> {

    final CompletableFuture<T> future = new CompletableFuture<>();

    private T result;
    private RuntimeException rejection;

    /** Applies the op in the writer's current transaction and returns what its future completes with. */
    abstract T apply(WriteContext ctx);

    /** After commit, on the writer thread outside any transaction: completes the future (or continues the op). */
    void onCommitted(T value) {
        future.complete(value);
    }

    final void attempt(WriteContext ctx) {
        result = null;
        rejection = null;
        result = apply(ctx);
    }

    /** This attempt failed on its own; the rest of the batch goes on. */
    final void reject(RuntimeException e) {
        rejection = e;
    }

    /** Reports the outcome of the committed attempt; nothing for an op the writer already failed. */
    final void settle() {
        if (future.isDone()) {
            return;
        }
        if (rejection != null) {
            future.completeExceptionally(rejection);
        } else {
            onCommitted(result);
        }
    }

    final void fail(Throwable e) {
        future.completeExceptionally(e);
    }
}
