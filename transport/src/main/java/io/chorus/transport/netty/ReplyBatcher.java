package io.chorus.transport.netty;

import io.chorus.transport.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Carries replies that handlers complete on other threads back to the connection's event loop in batches: the
 * first reply after a drain schedules one loop task, which writes every reply queued by then and flushes once.
 * While a dispatch batch runs its handlers ({@link #hold}), the replies they complete at once wait for the batch's
 * end and leave together. Under load many replies share one task and one syscall instead of paying one each.
 * Thread-safe: {@link #add}, {@link #hold} and {@link #release} from any thread; the drain runs on the event loop.
 */
final class ReplyBatcher {

    private final ChannelHandlerContext ctx;
    private final IntConsumer onWritten;
    private final Queue<Frame> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Dispatch batches running now; while any runs, their replies wait so that they leave together. */
    private final AtomicInteger holds = new AtomicInteger();
    private final Runnable drain = this::drain;

    /** {@code onWritten} is told, on the loop, how many replies each drain took off the queue. */
    ReplyBatcher(ChannelHandlerContext ctx, IntConsumer onWritten) {
        this.ctx = ctx;
        this.onWritten = onWritten;
    }

    void add(Frame reply) {
        queue.add(reply);
        // Read after the add: a hold released in between sees the reply and schedules the drain itself.
        if (holds.get() == 0) {
            schedule();
        }
    }

    /** Replies added until the matching {@link #release} wait for it; for a dispatch batch running its handlers. */
    void hold() {
        holds.incrementAndGet();
    }

    void release() {
        if (holds.decrementAndGet() == 0 && !queue.isEmpty()) {
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
        boolean active = ctx.channel().isActive();
        int written = 0;
        Frame reply;
        while ((reply = queue.poll()) != null) {
            written++;
            if (active) {
                ctx.write(reply, ctx.voidPromise());
            }
        }
        onWritten.accept(written);
        if (written > 0 && active) {
            ctx.flush();
        }
    }
}
