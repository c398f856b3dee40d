package io.chorus.transport.netty;

import io.chorus.transport.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries replies that handlers complete on other threads back to the connection's event loop in batches: the
 * first reply after a drain schedules one loop task, which writes every reply queued by then and flushes once.
 * While a dispatch batch runs its handlers ({@link #hold}), the replies they complete at once wait for the batch's
 * end and leave together. Under load many replies share one task and one syscall instead of paying one each.
 *
 * <p>A hold covers the replies completed <em>on the holding thread</em>: those of its own batch. Replies completed
 * elsewhere (another dispatch thread's batch, a replica's ack on a loop) leave at once. A hold used to be
 * the connection's: while any of its batches ran, every reply waited, so one pipelining connection whose batches
 * overlap on several dispatch threads could hold its replies for as long as the overlap lasted. The old rule is
 * kept behind {@code -D}{@value #HOLD_PROPERTY}{@code =connection} to measure the two in one run
 * ({@code ReplyBatchingBenchmark}).
 *
 * <p>Each reply passes its connection's {@link Sink#admit} before it is written, and the sink hears when the
 * replies of a drain have left for the socket ({@link Sink#flushed}): one promise per drain, on its last write,
 * since writes complete in order. So a connection knows how much it holds for a peer that does not read.
 *
 * <p>Thread-safe: {@link #add} from any thread, {@link #hold} and its {@link #release} on one thread; the drain runs
 * on the loop.
 */
final class ReplyBatcher {

    /** The connection's side of the batching; called on the event loop only. */
    interface Sink {
        /** Whether to write {@code reply}; false drops it (the connection is closing, or is being closed now). */
        boolean admit(Frame reply, int wireBytes);

        /** Replies of one drain were written to the socket, or failed with it; {@code dropped} were not admitted. */
        void flushed(int replies, long wireBytes);

        void dropped(int replies);

        /** A drain wrote and flushed what it admitted (the socket may not have taken all of it yet). */
        void drained();
    }

    /** {@code thread} (the default) or {@code connection}: whose replies a hold keeps; see the class comment. */
    static final String HOLD_PROPERTY = "chorus.transport.replyHold";
    /** The batcher whose dispatch batch runs on this thread now, if any. */
    private static final ThreadLocal<ReplyBatcher> HOLDING = new ThreadLocal<>();

    private final ChannelHandlerContext ctx;
    private final boolean holdPerThread = !"connection".equals(System.getProperty(HOLD_PROPERTY));
    private final Sink sink;
    private final Queue<Frame> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Dispatch batches running now; while any runs, their replies wait so that they leave together. */
    private final AtomicInteger holds = new AtomicInteger();
    private final Runnable drain = this::drain;

    ReplyBatcher(ChannelHandlerContext ctx, Sink sink) {
        this.ctx = ctx;
        this.sink = sink;
    }

    void add(Frame reply) {
        queue.add(reply);
        if (holdPerThread) {
            // The holding thread schedules at its release; any other reply needs no one to wait for.
            if (HOLDING.get() != this) {
                schedule();
            }
        } else if (holds.get() == 0) {
            // Read after the add: a hold released in between sees the reply and schedules the drain itself.
            schedule();
        }
    }

    /**
     * Replies this thread adds until its {@link #release} wait for it; for a dispatch batch running its handlers.
     * Not nested: a thread runs one batch at a time.
     */
    void hold() {
        if (holdPerThread) {
            HOLDING.set(this);
        } else {
            holds.incrementAndGet();
        }
    }

    void release() {
        if (holdPerThread) {
            HOLDING.remove();
            if (!queue.isEmpty()) {
                schedule();
            }
        } else if (holds.decrementAndGet() == 0 && !queue.isEmpty()) {
            schedule();
        }
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                ctx.executor().execute(drain);
            } catch (RejectedExecutionException e) {
                // The event loop is shut down: the server stopped, and the connection with it.
                queue.clear();
            }
        }
    }

    private void drain() {
        // Cleared before polling: a reply added after the last poll schedules the next drain itself.
        scheduled.set(false);
        int written = 0;
        int dropped = 0;
        long bytes = 0;
        Frame last = null;
        Frame reply;
        while ((reply = queue.poll()) != null) {
            int size = Frame.LENGTH_BYTES + reply.length();
            if (!sink.admit(reply, size)) {
                dropped++;
                continue;
            }
            if (last != null) {
                ctx.write(last, ctx.voidPromise());
            }
            last = reply;
            written++;
            bytes += size;
        }
        if (dropped > 0) {
            sink.dropped(dropped);
        }
        if (last != null) {
            int count = written;
            long total = bytes;
            ctx.writeAndFlush(last).addListener(f -> sink.flushed(count, total));
            sink.drained();
        }
    }
}
