package io.chorus.transport.netty;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.NotSentException;
import io.chorus.core.transport.Message;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.ProtocolVersion;
import io.chorus.transport.tls.TlsFailures;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requester side of one connection: numbers requests, keeps them until their response (matched by id, in any
 * order), a timeout (scheduled on the event loop: TIMEOUT) or the channel's close (UNAVAILABLE). Error responses
 * complete with a {@link io.chorus.transport.RemoteException}. Futures complete on the callback executor, never
 * running callers' continuations on the event loop. One per channel; every method but the constructor runs on
 * the channel's event loop.
 */
final class ClientChannelHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientChannelHandler.class);

    /** One request awaiting its response. */
    private static final class Pending {
        final int opcode;
        final CompletableFuture<Message> future;
        final long timeoutMillis;
        final long deadlineNanos;

        Pending(int opcode, CompletableFuture<Message> future, long timeoutMillis, long deadlineNanos) {
            this.opcode = opcode;
            this.future = future;
            this.timeoutMillis = timeoutMillis;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final Executor callbacks;
    private final LongObjectMap<Pending> pending = new LongObjectHashMap<>();
    private ChannelHandlerContext ctx;
    private long nextId = 1;
    private int version = ProtocolVersion.MAX_SUPPORTED;
    private boolean closed;
    /** Why the channel is being closed, for the UNAVAILABLE of the requests it takes down. */
    private String closeReason;
    /** The connection ended on a TLS refusal of our certificate: what was pending fails UNAUTHENTICATED. */
    private boolean refusedByTls;
    private volatile HelloResponse serverHello;
    /**
     * One timer per connection, armed for the earliest deadline of the requests in flight, instead of one per
     * request: scheduling and cancelling a timer per request costs two priority-queue operations on the event loop,
     * a large share of a small request's cost. When it fires, one pass fails the expired requests and re-arms.
     */
    private ScheduledFuture<?> sweepTimer;
    /** The deadline the sweep timer is armed for; meaningful while it is not null. */
    private long armedDeadline;

    ClientChannelHandler(Executor callbacks) {
        this.callbacks = callbacks;
    }

    HelloResponse serverHello() {
        return serverHello;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Sends a request and registers its future; on the event loop. */
    void send(int opcode, byte[] body, long timeoutMillis, CompletableFuture<Message> future) {
        if (closed || !ctx.channel().isActive()) {
            fail(future, new NotSentException("connection to " + ctx.channel().remoteAddress()
                    + " is closed" + (closeReason == null ? "" : ": " + closeReason)));
            return;
        }
        long id = nextId++;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        pending.put(id, new Pending(opcode, future, timeoutMillis, deadline));
        // nanoTime values are compared by difference: they may wrap.
        if (sweepTimer == null || deadline - armedDeadline < 0) {
            arm(deadline);
        }
        // A failed write fires exceptionCaught, which closes the channel and fails every pending request.
        ctx.writeAndFlush(Frame.request(version, opcode, id, body), ctx.voidPromise());
    }

    private void arm(long deadline) {
        if (sweepTimer != null) {
            sweepTimer.cancel(false);
        }
        armedDeadline = deadline;
        sweepTimer = ctx.executor().schedule(this::sweep, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** Fails every request past its deadline and re-arms for the earliest one left. */
    private void sweep() {
        sweepTimer = null;
        long now = System.nanoTime();
        boolean more = false;
        long next = 0;
        List<Long> expired = new ArrayList<>();
        for (LongObjectMap.PrimitiveEntry<Pending> e : pending.entries()) {
            long deadline = e.value().deadlineNanos;
            if (deadline - now <= 0) {
                expired.add(e.key());
            } else if (!more || deadline - next < 0) {
                more = true;
                next = deadline;
            }
        }
        for (long id : expired) {
            Pending p = pending.remove(id);
            fail(p.future, new ChorusException(ErrorCode.TIMEOUT, Opcodes.name(p.opcode) + " to "
                    + ctx.channel().remoteAddress() + " got no reply within " + p.timeoutMillis + " ms"));
        }
        if (more) {
            arm(next);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            onFrame(frame);
        } else if (msg instanceof BadFrame bad) {
            closeWith("the server sent a broken frame: " + bad.reason());
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onFrame(Frame frame) {
        if (!frame.isResponse()) {
            closeWith("the server sent a request (" + Opcodes.name(frame.opcode()) + "); servers only respond");
            return;
        }
        Pending p = pending.remove(frame.requestId());
        if (p == null) {
            if (frame.isError() && frame.requestId() == 0) {
                // An error about the connection itself (its header could not be read); the server closes next.
                closeWith("the server reported " + describeError(frame));
            } else {
                log.debug("{}: response to unknown or expired request {}", ctx.channel(), frame.requestId());
            }
            return;
        }
        if (frame.isError()) {
            try {
                fail(p.future, ErrorBody.decode(frame.body()).toException());
            } catch (ChorusException e) {
                fail(p.future, new ChorusException(ErrorCode.CORRUPT, "undecodable error response: "
                        + e.getMessage(), e));
            }
            return;
        }
        if (p.opcode == Opcodes.HELLO) {
            try {
                HelloResponse hello = HelloResponse.decode(frame.body());
                version = hello.version();
                serverHello = hello;
            } catch (ChorusException e) {
                fail(p.future, e);
                return;
            }
        }
        succeed(p.future, Message.adopt(frame.opcode(), frame.body()));
    }

    private static String describeError(Frame frame) {
        try {
            ErrorBody error = ErrorBody.decode(frame.body());
            return error.errorCode() + ": " + error.message();
        } catch (ChorusException e) {
            return "an undecodable error";
        }
    }

    private void closeWith(String reason) {
        log.debug("{}: closing: {}", ctx.channel(), reason);
        if (closeReason == null) {
            closeReason = reason;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (sweepTimer != null) {
            sweepTimer.cancel(false);
            sweepTimer = null;
        }
        if (!pending.isEmpty()) {
            String why = "connection to " + ctx.channel().remoteAddress() + " closed"
                    + (closeReason == null ? "" : ": " + closeReason);
            List<Pending> dropped = new ArrayList<>(pending.values());
            pending.clear();
            for (Pending p : dropped) {
                fail(p.future, new ChorusException(refusedByTls ? ErrorCode.UNAUTHENTICATED : ErrorCode.UNAVAILABLE,
                        why));
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // With TLS 1.3 a server refuses our certificate after our side of the handshake is done: the alert
        // arrives here, while the HELLO waits for its answer.
        refusedByTls |= TlsFailures.isRefusal(cause);
        closeWith(cause.toString());
    }

    private void succeed(CompletableFuture<Message> future, Message message) {
        try {
            callbacks.execute(() -> future.complete(message));
        } catch (RejectedExecutionException e) {
            future.complete(message);
        }
    }

    private void fail(CompletableFuture<Message> future, Throwable failure) {
        try {
            callbacks.execute(() -> future.completeExceptionally(failure));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(failure);
        }
    }
}
