package io.chorus.storage;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's single writer thread. It blocks on the queue while idle, then takes every write waiting (up to the
 * batch limit), applies them in one transaction through the {@link BatchCommitter}, commits, and only then
 * completes their futures. Writes that arrive while a commit (and its fsync) runs form the next batch, so under
 * load the cost of one fsync is shared by many writes without any timer or delay.
 *
 * <p>No lock is held across disk I/O: submitters only touch the queue. Shutdown drains: writes queued before
 * {@link #shutdown} are committed, later ones fail with UNAVAILABLE; then the thread runs the teardown (closing
 * the environment) and exits. Thread-safe.
 */
final class GroupCommitWriter {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final LinkedBlockingQueue<WriteOp<?>> queue = new LinkedBlockingQueue<>();
    private final BatchCommitter committer;
    private final BatchObserver observer;
    private final int maxBatchSize;
    private final int maxPending;
    private final Teardown teardown;
    private final Thread thread;
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Queued by shutdown; per writer, since the op holds state. */
    private final WriteOp<Void> stopMarker = new WriteOp<>() {
        @Override
        Void apply(WriteContext ctx) {
            throw new IllegalStateException("the stop marker is never applied");
        }
    };
    private volatile boolean closing;
    /** Set by {@link #abandon}: the teardown is a crash's, not a clean shutdown's. */
    private volatile boolean abandoned;
    private volatile long writesCommitted;
    private volatile long writesRejected;

    /** What the writer thread runs after its last batch, whatever happened. */
    @FunctionalInterface
    interface Teardown {
        /**
         * @param clean the writer drained its queue after {@link #shutdown} (a clean close); false after
         *     {@link #abandon} or when the writer failed
         */
        void run(boolean clean);
    }

    /** @param teardown runs on the writer thread after the last batch, whatever happened */
    GroupCommitWriter(BatchCommitter committer, int maxBatchSize, int maxPending, ThreadFactory threads,
            BatchObserver observer, Teardown teardown) {
        this.committer = committer;
        this.observer = observer;
        this.maxBatchSize = maxBatchSize;
        this.maxPending = maxPending;
        this.teardown = teardown;
        this.thread = threads.newThread(this::run);
        if (thread == null) {
            throw new IllegalStateException("the writer thread factory returned null");
        }
    }

    void start() {
        thread.start();
    }

    /** Queues {@code op}; its future fails at once when the engine is closed or the queue is full. */
    <T> CompletableFuture<T> submit(WriteOp<T> op) {
        if (closing) {
            op.fail(LmdbErrors.closed());
            return op.future;
        }
        if (queue.size() >= maxPending) {
            op.fail(new ChorusException(ErrorCode.OVERLOADED, "storage write queue is full (" + maxPending + ")"));
            return op.future;
        }
        queue.add(op);
        // Closed meanwhile: if the writer has not taken the op it never will; otherwise it handles it.
        if (closing && queue.remove(op)) {
            op.fail(LmdbErrors.closed());
        }
        return op.future;
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    /** Stops taking writes; the writer commits what is queued, then tears down. Returns at once. */
    void shutdown() {
        if (!closing) {
            closing = true;
            queue.add(stopMarker);
        }
    }

    /** As {@link #shutdown}, but what is still queued fails instead of being committed: a crash's outcome. */
    void abandon() {
        if (!closing) {
            abandoned = true;
            closing = true;
            List<WriteOp<?>> dropped = new ArrayList<>();
            queue.drainTo(dropped);
            failAll(dropped, LmdbErrors.closed());
            queue.add(stopMarker);
        }
    }

    /** Waits for the writer to finish its teardown, unless called on the writer itself (from a callback). */
    void awaitTermination() {
        if (isWriterThread()) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    int pending() {
        return queue.size();
    }

    long writesCommitted() {
        return writesCommitted;
    }

    long writesRejected() {
        return writesRejected;
    }

    private void run() {
        List<WriteOp<?>> batch = new ArrayList<>(maxBatchSize);
        boolean failed = false;
        try {
            boolean stop = false;
            while (!stop) {
                batch.add(take());
                queue.drainTo(batch, maxBatchSize - 1);
                stop = batch.remove(stopMarker);
                if (!batch.isEmpty()) {
                    process(batch);
                }
                batch.clear();
            }
        } catch (Throwable t) {
            LOG.error("storage writer failed; closing the engine", t);
            failed = true;
            closing = true;
            failAll(batch, new ChorusException(ErrorCode.INTERNAL, "storage writer failed", t));
        } finally {
            List<WriteOp<?>> left = new ArrayList<>();
            queue.drainTo(left);
            failAll(left, LmdbErrors.closed());
            try {
                teardown.run(!failed && !abandoned);
            } catch (RuntimeException e) {
                LOG.error("closing the LMDB environment failed", e);
            } finally {
                terminated.countDown();
            }
        }
    }

    private WriteOp<?> take() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // Nobody but shutdown() may stop the writer, and it does so through the queue.
                LOG.warn("storage writer interrupted; ignoring (use close())");
            }
        }
    }

    private void process(List<WriteOp<?>> batch) {
        long start = System.nanoTime();
        try {
            committer.commit(batch);
        } catch (RuntimeException e) {
            LOG.error("group commit of {} writes failed", batch.size(), e);
            failAll(batch, new ChorusException(ErrorCode.INTERNAL, "group commit failed", e));
        }
        long ok = 0;
        long bad = 0;
        for (WriteOp<?> op : batch) {
            op.settle();
            if (op.future.isCompletedExceptionally()) {
                bad++;
            } else if (op.future.isDone()) {
                ok++;
            }
        }
        writesCommitted += ok;
        writesRejected += bad;
        try {
            observer.committed(batch.size(), System.nanoTime() - start);
        } catch (RuntimeException e) {
            LOG.warn("batch observer failed; ignored", e);
        }
    }

    private static void failAll(List<WriteOp<?>> ops, ChorusException e) {
        for (WriteOp<?> op : ops) {
            if (op != null) {
                op.fail(e);
            }
        }
    }
}
