package io.chorus.transport.netty;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.auth.Authenticator;
import io.chorus.transport.auth.Principal;
import io.chorus.transport.protocol.ErrorBody;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.HelloResponse;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Permission;
import io.chorus.transport.protocol.PingBody;
import io.chorus.transport.protocol.ProtocolVersion;
import io.chorus.transport.protocol.Role;
import io.chorus.transport.tls.TlsFailures;
import io.chorus.transport.tls.TlsIdentity;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one connection: enforces the handshake (HELLO first and in time, version negotiation, with TLS
 * a certificate proving a node's claimed name ({@link PeerAuthentication}), a slot for its role), answers HELLO and PING itself, and dispatches every other request to the role's handler on the
 * dispatch executor, except the opcodes the handler declares {@linkplain RequestHandler#nonBlocking non-blocking},
 * which it runs on the loop. Whatever a peer sends, the outcome is an error frame, at worst followed by a close of
 * this connection: nothing it sends is thrown into the pipeline.
 *
 * <p>Limits: requests in flight (over it, OVERLOADED), counted from their arrival until their reply has been
 * written to the socket, so a peer that does not read cannot have more requests executed than the limit; a
 * request id already in flight (a protocol error: BAD_REQUEST, then close); frame size (via the decoder's
 * {@link BadFrame}); idle time (an {@link IdleStateEvent} closes). Replies the peer has not taken are bounded in
 * time: a connection whose unflushed replies are over its limit, or (for a client) while the unflushed replies to
 * all clients are over the node's, and whose peer takes no byte of them for a second, is closed (its peer is not
 * reading). Reading stops while the
 * channel is not writable, so a slow reader stops sending us work. A peer that shuts down its output (half-close)
 * gets the answers to what it sent, then the connection closes.
 *
 * <p>One per channel; all state is event loop confined (completions hop back onto the loop to write).
 */
final class ServerConnectionHandler extends ChannelInboundHandlerAdapter implements ReplyBatcher.Sink {

    private static final Logger log = LoggerFactory.getLogger(ServerConnectionHandler.class);
    /** Refused TLS handshakes: one line a second at most, however many strangers knock. */
    private static final RateLimitedLog TLS_REFUSAL_LOG = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));
    /** At most this many requests per dispatch task, so one connection's burst still spreads over threads. */
    static final int MAX_BATCH = 16;
    /**
     * A connection over its bound of unflushed replies whose peer has taken no byte of them for this long is a
     * peer that does not read: closed. Time, not bytes alone, decides, since a reader that keeps up may still have
     * a burst of large replies queued at once (sixteen 1 MiB GETs in flight, two of a 16 MiB key).
     */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often a connection with replies still queued checks whether its peer takes them. */
    static final long STALL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private enum Slot { NONE, PENDING, ROLE }

    private final Dispatcher dispatcher;
    private final ConnectionBudget budget;
    private final int maxInFlight;
    private final int maxFrameBytes;
    private final long maxUnflushed;
    /** False on the client listener of a server with a peer listener of its own: node HELLOs are refused there. */
    private final boolean acceptsNodes;
    private ChannelHandlerContext ctx;
    private ReplyBatcher replies;
    /** Requests decoded in the current read, dispatched together when it completes. */
    private final List<Invocation> batch = new ArrayList<>();
    /** Frames read while the server was frozen, kept for its thaw. */
    private final ArrayDeque<Object> heldWhileFrozen = new ArrayDeque<>();
    /** Ids of the requests in flight, to refuse a duplicate. */
    private final LongObjectHashMap<Boolean> inFlightIds = new LongObjectHashMap<>();
    /** Null until the HELLO is accepted. */
    private Role role;
    private NodeId peer;
    /** With TLS, the peer's verified certificate once the HELLO is accepted (null without one): its principal. */
    private X509Certificate peerCertificate;
    /** A client's authenticated identity, or null when the server checks none (every request allowed). */
    private Principal principal;
    /** The HELLO's credentials are being checked off the loop: frames that follow wait, reading stops. */
    private boolean authenticating;
    /** The {@link Authenticator#version} the principal was last resolved against. */
    private Object principalVersion;
    private int version;
    private int inFlight;
    /** Reply bytes admitted on this connection and not yet written to the socket. */
    private long unflushed;
    /** While replies wait for the socket: the next check of whether the peer takes them, and what it measures. */
    private ScheduledFuture<?> stallCheck;
    private long pendingAtCheck;
    private long addedSinceCheck;
    private long lastProgressNanos;
    private Slot slot = Slot.NONE;
    private ScheduledFuture<?> handshakeDeadline;
    /** Set once a fatal reply is on its way: later frames of the same read are dropped. */
    private boolean closing;
    /** The peer shut down its side: no more requests come; close once those in flight are answered. */
    private boolean inputShutdown;

    ServerConnectionHandler(Dispatcher dispatcher) {
        this(dispatcher, true);
    }

    ServerConnectionHandler(Dispatcher dispatcher, boolean acceptsNodes) {
        this.dispatcher = dispatcher;
        this.acceptsNodes = acceptsNodes;
        this.budget = dispatcher.budget();
        this.maxInFlight = dispatcher.config().maxInFlightPerConnection();
        this.maxFrameBytes = dispatcher.config().maxFrameBytes();
        this.maxUnflushed = dispatcher.config().maxUnflushedPerConnection();
    }

    /** The connection holds a pending-handshake slot, taken by the initializer on accept; released on close. */
    void holdsPendingSlot() {
        slot = Slot.PENDING;
    }

    /** The certificate the peer authenticated with (TLS), null without TLS or one; on the loop. */
    X509Certificate peerCertificate() {
        return peerCertificate;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.replies = new ReplyBatcher(ctx, this);
        armHandshakeDeadline();
        ctx.channel().closeFuture().addListener(f -> onClosed());
        if (dispatcher.frozen()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void armHandshakeDeadline() {
        long timeout = dispatcher.config().handshakeTimeout().toNanos();
        handshakeDeadline = ctx.executor().schedule(this::handshakeExpired, timeout, TimeUnit.NANOSECONDS);
    }

    private void handshakeExpired() {
        if ((dispatcher.frozen() || (!authenticating && !heldWhileFrozen.isEmpty())) && ctx.channel().isOpen()) {
            // A frozen node runs no timers of its own: the deadline counts again from the thaw. Frames held while
            // frozen and not yet handled (the thaw's task is queued behind this timer) count as frozen too: the
            // HELLO may be among them (ServerLimitsTest, a half-close while frozen, failed on that race).
            armHandshakeDeadline();
            return;
        }
        if (role == null && ctx.channel().isOpen()) {
            budget.countHandshakeTimeout();
            log.debug("{}: no HELLO within {}, closing", ctx.channel(), dispatcher.config().handshakeTimeout());
            closing = true;
            ctx.close();
        }
    }

    private void onClosed() {
        handshakeDeadline.cancel(false);
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
        if (slot == Slot.PENDING) {
            budget.releasePending(ctx.channel());
        } else if (slot == Slot.ROLE) {
            budget.releaseRole(role);
        }
        slot = Slot.NONE;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dispatcher.frozen() || authenticating || !heldWhileFrozen.isEmpty()) {
            // Netty still performs a read it had asked for before reading was turned off: keep what it brings
            // for the thaw, so a frozen node really answers nothing (and for the end of a HELLO's password check,
            // so nothing runs before the client is known).
            heldWhileFrozen.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(msg);
    }

    /** On the loop, after a thaw: what was read while frozen, in order, then reading as usual. */
    void thaw() {
        while (!heldWhileFrozen.isEmpty() && !dispatcher.frozen() && !authenticating) {
            Object held = heldWhileFrozen.poll();
            if (held instanceof ChannelInputShutdownEvent) {
                onInputShutdown();
            } else {
                handle(held);
            }
        }
        submitBatch();
        updateReading();
    }

    private void handle(Object msg) {
        if (closing || inputShutdown) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof Frame frame) {
            onFrame(frame);
        } else if (msg instanceof BadFrame bad) {
            log.debug("{}: broken frame from {}: {}", ctx.channel(), peer, bad.reason());
            String reason = bad.reason();
            if (role == null && bad.code() == ErrorCode.TOO_LARGE) {
                reason += " before the HELLO is answered: wait for its answer before sending larger frames";
            }
            replyAndClose(ProtocolVersion.MAX_SUPPORTED, bad.opcode(), bad.requestId(),
                    ErrorBody.of(bad.code(), reason));
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onFrame(Frame frame) {
        if (role == null) {
            onHandshake(frame);
        } else if (frame.version() != version) {
            replyAndClose(version, frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.BAD_REQUEST,
                    "frame version " + frame.version() + " on a connection that speaks version " + version));
        } else if (frame.isResponse()) {
            reply(frame, ErrorBody.of(ErrorCode.BAD_REQUEST, "a server takes requests, not responses"));
        } else if (frame.opcode() == Opcodes.HELLO) {
            reply(frame, ErrorBody.of(ErrorCode.BAD_REQUEST, "HELLO was already done on this connection"));
        } else if (frame.opcode() == Opcodes.PING) {
            onPing(frame);
        } else {
            dispatch(frame);
        }
    }

    private void onHandshake(Frame frame) {
        int pre = ProtocolVersion.MAX_SUPPORTED;
        if (frame.opcode() != Opcodes.HELLO || frame.isResponse()) {
            replyAndClose(pre, frame.opcode(), frame.requestId(),
                    ErrorBody.of(ErrorCode.BAD_REQUEST, "the first frame must be a HELLO request"));
            return;
        }
        HelloRequest hello;
        try {
            hello = HelloRequest.decode(frame.body());
            if (hello.credentials() != null) {
                Arrays.fill(frame.body(), (byte) 0); // the decoded copy is wiped after its check
            }
        } catch (ChorusException e) {
            replyAndClose(pre, frame.opcode(), frame.requestId(), ErrorBody.from(e));
            return;
        }
        OptionalInt chosen = ProtocolVersion.negotiate(hello.minVersion(), hello.maxVersion());
        if (chosen.isEmpty()) {
            replyAndClose(pre, frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.UNSUPPORTED_VERSION,
                    "versions " + hello.minVersion() + ".." + hello.maxVersion() + " offered, "
                            + ProtocolVersion.MIN_SUPPORTED + ".." + ProtocolVersion.MAX_SUPPORTED + " supported"));
            return;
        }
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        X509Certificate certificate = tls == null ? null
                : TlsIdentity.peerCertificate(tls.engine().getSession()).orElse(null);
        Authenticator users = dispatcher.authenticator();
        Optional<String> refusal = PeerAuthentication.refusal(tls != null, hello.role(), hello.from().name(),
                certificate, users == null ? n -> false : users::namesUser);
        if (refusal.isPresent()) {
            log.warn("{}: refusing a {} HELLO as {}: {}", ctx.channel(), hello.role(), hello.from(), refusal.get());
            replyAndClose(chosen.getAsInt(), frame.opcode(), frame.requestId(),
                    ErrorBody.of(ErrorCode.UNAUTHENTICATED, refusal.get()));
            return;
        }
        if (hello.role() == Role.NODE && !acceptsNodes) {
            log.warn("{}: refusing a node HELLO as {} on the client port", ctx.channel(), hello.from());
            replyAndClose(chosen.getAsInt(), frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.FORBIDDEN,
                    "this is a client port; nodes connect to the peer port"));
            return;
        }
        Authenticator authenticator = dispatcher.authenticator();
        if (hello.role() == Role.CLIENT && authenticator != null) {
            authenticate(authenticator, frame, hello, chosen.getAsInt(), certificate);
            return;
        }
        accept(frame, hello, chosen.getAsInt(), certificate, null);
    }

    /**
     * Checks a client's credentials on the server's authentication executor (a password hash takes tens of
     * milliseconds of CPU: never on the loop), then, back on the loop, accepts or refuses the HELLO. Meanwhile the
     * connection keeps its pending slot and deadline, and does not read.
     */
    private void authenticate(Authenticator authenticator, Frame frame, HelloRequest hello, int chosenVersion,
                              X509Certificate certificate) {
        boolean password = hello.credentials() != null;
        InetAddress source = remoteAddress();
        // A password costs a hash: one thread for them, a few at a time per address, so that a flood of guesses
        // from one place neither takes the request threads nor keeps everyone else's sign-ins waiting. Without
        // a password, it is a lookup: the dispatch executor does it at once.
        if (password && !dispatcher.takePasswordCheck(source)) {
            replyAndClose(chosenVersion, frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.OVERLOADED,
                    "too many sign-ins in progress from this address; retry later"));
            return;
        }
        authenticating = true;
        updateReading();
        Runnable check = () -> {
            try {
                if (!ctx.channel().isOpen()) {
                    return; // gone while it waited: no hash for nobody
                }
                Principal who = null;
                ChorusException refused = null;
                try {
                    who = authenticator.authenticate(hello.credentials(), certificate);
                    if (who == null) {
                        throw new IllegalStateException("the authenticator returned no principal");
                    }
                } catch (ChorusException e) {
                    refused = e;
                } catch (RuntimeException e) {
                    log.error("{}: authenticator failed", ctx.channel(), e);
                    refused = new ChorusException(ErrorCode.INTERNAL, "authentication failed on the node (see its"
                            + " log)");
                } finally {
                    if (hello.credentials() != null) {
                        hello.credentials().wipe();
                    }
                }
                Principal principal = who;
                ChorusException failure = refused;
                try {
                    ctx.executor().execute(() -> authenticated(frame, hello, chosenVersion, certificate, principal,
                            failure));
                } catch (RejectedExecutionException stopping) {
                    // the loop is shutting down, and the connection with it
                }
            } finally {
                if (password) {
                    dispatcher.releasePasswordCheck(source);
                }
            }
        };
        try {
            (password ? dispatcher.authExecutor() : dispatcher.executor()).execute(check);
        } catch (RejectedExecutionException e) {
            if (password) {
                dispatcher.releasePasswordCheck(source);
            }
            authenticating = false;
            replyAndClose(chosenVersion, frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.OVERLOADED,
                    "too many sign-ins in progress; retry later"));
        }
    }

    private InetAddress remoteAddress() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    /** Frames held behind a HELLO that was refused, or whose connection went: nothing of them runs. */
    private void dropHeld() {
        heldWhileFrozen.forEach(ReferenceCountUtil::release);
        heldWhileFrozen.clear();
    }

    /** On the loop: the end of {@link #authenticate}. */
    private void authenticated(Frame frame, HelloRequest hello, int chosenVersion, X509Certificate certificate,
                               Principal who, ChorusException failure) {
        authenticating = false;
        if (closing || !ctx.channel().isOpen()) {
            dropHeld();
            return;
        }
        if (failure != null) {
            budget.countAuthenticationFailure();
            log.warn("{}: refusing client {}{}: {}", ctx.channel(), hello.from(),
                    hello.credentials() == null ? "" : " as user " + hello.credentials().user(),
                    failure.getMessage());
            // Nothing sent behind the HELLO runs.
            dropHeld();
            replyAndClose(chosenVersion, frame.opcode(), frame.requestId(), ErrorBody.from(failure));
            return;
        }
        accept(frame, hello, chosenVersion, certificate, who);
        if (role != null) {
            principalVersion = dispatcher.authenticator().version();
            thaw();
        } else {
            dropHeld();
        }
    }

    /**
     * Whether the signed-in principal may still act, taking its present roles when the users changed: a volatile
     * read and an identity compare per request while they do not.
     */
    private boolean principalStillValid() {
        Authenticator authenticator = dispatcher.authenticator();
        Object now = authenticator == null ? null : authenticator.version();
        if (now != principalVersion) {
            principalVersion = now;
            Principal current = authenticator == null ? principal : authenticator.current(principal);
            if (current == null) {
                return false;
            }
            principal = current;
        }
        return true;
    }

    /** Takes the role's slot and answers the HELLO: the connection is open for requests. */
    private void accept(Frame frame, HelloRequest hello, int chosenVersion, X509Certificate certificate,
                        Principal who) {
        if (!budget.takeRole(hello.role())) {
            budget.countRefusedConnection();
            log.warn("{}: refusing a {} connection from {}: all {} slots taken", ctx.channel(), hello.role(),
                    hello.from(), budget.limitOf(hello.role()));
            replyAndClose(chosenVersion, frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.OVERLOADED,
                    "this node has its maximum of " + budget.limitOf(hello.role()) + " " + hello.role()
                            + " connections; retry later or elsewhere"));
            return;
        }
        if (slot == Slot.PENDING) {
            budget.releasePending(ctx.channel());
        }
        role = hello.role();
        handshakeAccepted();
        slot = Slot.ROLE;
        handshakeDeadline.cancel(false);
        peer = hello.from();
        peerCertificate = certificate;
        principal = who;
        version = chosenVersion;
        ServerConfig config = dispatcher.config();
        HelloResponse response = new HelloResponse(version, config.nodeId(), config.ringVersion().getAsLong());
        ctx.writeAndFlush(Frame.response(version, Opcodes.HELLO, frame.requestId(), response.encode()));
    }

    /**
     * The one point where a HELLO is accepted. Until here the decoder admitted only frames a handshake needs
     * ({@link ServerConfig#maxHandshakeFrameBytes}); from the next frame on, the connection's full frame limit.
     */
    private void handshakeAccepted() {
        FrameCodec codec = ctx.pipeline().get(FrameCodec.class);
        if (codec != null) {
            codec.decoder().limit(maxFrameBytes);
        }
    }

    private void onPing(Frame frame) {
        try {
            PingBody.decode(frame.body());
        } catch (ChorusException e) {
            reply(frame, ErrorBody.from(e));
            return;
        }
        ctx.writeAndFlush(Frame.response(version, frame.opcode(), frame.requestId(), frame.body()));
    }

    private void dispatch(Frame frame) {
        if (!Opcodes.isServedTo(role, frame.opcode())) {
            reply(frame, ErrorBody.of(ErrorCode.UNKNOWN_OPCODE,
                    "opcode " + Opcodes.name(frame.opcode()) + " is not served to a " + role));
            return;
        }
        if (principal != null && !principalStillValid()) {
            replyAndClose(version, frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.UNAUTHENTICATED,
                    "user " + principal.name() + " was removed from this node's users"));
            return;
        }
        if (principal != null && !principal.may(Opcodes.permission(frame.opcode()))) {
            Permission needed = Opcodes.permission(frame.opcode());
            reply(frame, ErrorBody.of(ErrorCode.FORBIDDEN, "user " + principal.name() + " may not "
                    + Opcodes.name(frame.opcode()) + ": that needs the " + needed.role() + " role, and it has "
                    + principal.permissions().stream().map(Permission::role).sorted().toList()));
            return;
        }
        RequestHandler handler = dispatcher.handlerFor(role);
        if (handler == null) {
            reply(frame, ErrorBody.of(ErrorCode.UNAVAILABLE, "this node is not serving " + role + " requests yet"));
            return;
        }
        if (inFlightIds.containsKey(frame.requestId())) {
            // Two answers with one id could not be told apart; as in HTTP/2, reusing a live id ends the connection.
            replyAndClose(version, frame.opcode(), frame.requestId(), ErrorBody.of(ErrorCode.BAD_REQUEST,
                    "request id " + Long.toUnsignedString(frame.requestId()) + " is already in flight"));
            return;
        }
        if (inFlight >= maxInFlight) {
            reply(frame, ErrorBody.of(ErrorCode.OVERLOADED, "more than " + maxInFlight
                    + " requests in flight on this connection"));
            return;
        }
        inFlight++;
        inFlightIds.put(frame.requestId(), Boolean.TRUE);
        Message request = Message.adopt(frame.opcode(), frame.body());
        if (handler.nonBlocking(frame.opcode())) {
            // Cheaper here than a hand-off; its reply still goes through the batcher like any other.
            invoke(handler, peer, request, frame, version);
            return;
        }
        // Everything the dispatch thread needs is copied in: it must not read loop state.
        batch.add(new Invocation(handler, peer, request, frame, version));
        if (batch.size() == MAX_BATCH) {
            submitBatch();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submitBatch();
        ctx.fireChannelReadComplete();
    }

    /**
     * Hands the requests decoded in this read to the dispatch executor as one task (per {@link #MAX_BATCH}): under
     * pipelining a read holds many requests, and one hand-off per read instead of per request is what keeps the
     * dispatch hop cheap. Handlers return futures and should not block, so running a batch in sequence costs
     * little; larger loads spread over connections and batches.
     */
    private void submitBatch() {
        if (batch.isEmpty()) {
            return;
        }
        Invocation[] tasks = batch.toArray(new Invocation[0]);
        batch.clear();
        try {
            dispatcher.executor().execute(() -> {
                replies.hold();
                try {
                    for (Invocation task : tasks) {
                        task.run(this);
                    }
                } finally {
                    replies.release();
                }
            });
        } catch (RejectedExecutionException e) {
            for (Invocation task : tasks) {
                inFlight--;
                inFlightIds.remove(task.frame().requestId());
                reply(task.frame(), ErrorBody.from(e));
            }
            closeIfDone();
        }
    }

    /** One dispatched request, with what its reply needs. */
    private record Invocation(RequestHandler handler, NodeId from, Message request, Frame frame, int replyVersion) {
        void run(ServerConnectionHandler connection) {
            connection.invoke(handler, from, request, frame, replyVersion);
        }
    }

    /** On the dispatch executor (or the loop, for a non-blocking opcode): run the handler, whatever it does. */
    private void invoke(RequestHandler handler, NodeId from, Message request, Frame frame, int replyVersion) {
        CompletableFuture<Message> result;
        try {
            result = handler.handle(from, request);
            if (result == null) {
                throw new IllegalStateException("request handler returned no future");
            }
        } catch (Throwable t) {
            result = CompletableFuture.failedFuture(t);
        }
        result.whenComplete((response, failure) -> complete(frame, replyVersion, from, response, failure));
    }

    /** On whichever thread completed the handler's future: build the reply there, batch it back to the loop. */
    private void complete(Frame request, int replyVersion, NodeId from, Message response, Throwable failure) {
        Frame out;
        if (failure == null && response != null) {
            out = Frame.response(replyVersion, request.opcode(), request.requestId(), response.bodyUnsafe());
            if (out.length() > maxFrameBytes) {
                out = Frame.error(replyVersion, request.opcode(), request.requestId(), ErrorBody.of(
                        ErrorCode.TOO_LARGE, "response of " + out.length() + " bytes is over the frame limit of "
                                + maxFrameBytes));
            }
        } else {
            ErrorBody error = failure == null
                    ? ErrorBody.of(ErrorCode.INTERNAL, "request handler completed without a response")
                    : ErrorBody.from(failure);
            if (error.errorCode() == ErrorCode.INTERNAL) {
                log.warn("{}: {} from {} failed", ctx.channel(), Opcodes.name(request.opcode()), from, failure);
            }
            out = Frame.error(replyVersion, request.opcode(), request.requestId(), error);
        }
        replies.add(out);
    }

    // ---- replies leaving: ReplyBatcher.Sink, on the loop ------------------------------------------------------

    @Override
    public boolean admit(Frame reply, int wireBytes) {
        inFlightIds.remove(reply.requestId());
        if (!ctx.channel().isActive()) {
            return false;
        }
        unflushed += wireBytes;
        addedSinceCheck += wireBytes;
        if (role == Role.CLIENT) {
            budget.addUnflushed(wireBytes);
        }
        return true;
    }

    @Override
    public void flushed(int count, long wireBytes) {
        unflushed -= wireBytes;
        if (role == Role.CLIENT) {
            budget.flushed(wireBytes);
        }
        inFlight -= count;
        closeIfDone();
    }

    @Override
    public void dropped(int count) {
        inFlight -= count;
        closeIfDone();
    }

    /** After a drain's flush: if the socket did not take everything, start watching whether the peer reads. */
    @Override
    public void drained() {
        if (unflushed > 0 && stallCheck == null && !closing) {
            pendingAtCheck = pendingBytes();
            addedSinceCheck = 0;
            lastProgressNanos = System.nanoTime();
            stallCheck = ctx.executor().schedule(this::checkStall, STALL_CHECK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Progress is what the socket took since the last check: the outbound bytes then, plus those added since, less
     * those still there. A connection over its bound (or a client's while the node's clients are over theirs)
     * with no progress for {@link #STALL_NANOS} is closed; the replies it held are freed.
     */
    private void checkStall() {
        stallCheck = null;
        if (closing || !ctx.channel().isActive() || unflushed <= 0) {
            return;
        }
        long now = System.nanoTime();
        long pending = pendingBytes();
        if (pendingAtCheck + addedSinceCheck - pending > 0) {
            lastProgressNanos = now;
        }
        pendingAtCheck = pending;
        addedSinceCheck = 0;
        boolean over = unflushed > maxUnflushed || (role == Role.CLIENT && budget.clientsOverLimit());
        if (over && now - lastProgressNanos >= STALL_NANOS) {
            closeSlowReader(unflushed > maxUnflushed
                    ? "it holds " + unflushed + " unflushed reply bytes, over this connection's limit of "
                            + maxUnflushed
                    : "the node's unflushed replies to clients are over their limit of "
                            + dispatcher.config().maxUnflushedPerNode() + " bytes, and it holds " + unflushed);
        } else {
            stallCheck = ctx.executor().schedule(this::checkStall, STALL_CHECK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private long pendingBytes() {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    private void closeSlowReader(String why) {
        if (closing) {
            return;
        }
        budget.countSlowReaderClosed();
        log.warn("{}: closing the connection of {} {}, which has taken none of its replies for {} ms: {}",
                ctx.channel(), role, peer, TimeUnit.NANOSECONDS.toMillis(STALL_NANOS), why);
        closing = true;
        ctx.close();
    }

    // ---- errors the loop answers itself ---------------------------------------------------------------------

    private void reply(Frame request, ErrorBody error) {
        Frame out = Frame.error(version, request.opcode(), request.requestId(), error);
        addedSinceCheck += Frame.LENGTH_BYTES + out.length();
        ctx.writeAndFlush(out);
    }

    private void replyAndClose(int replyVersion, int opcode, long requestId, ErrorBody error) {
        closing = true;
        updateReading();
        ctx.writeAndFlush(Frame.error(replyVersion, opcode, requestId, error)).addListener(ChannelFutureListener.CLOSE);
    }

    /** After a half-close, the connection ends once every accepted request is answered and written. */
    private void closeIfDone() {
        if (inputShutdown && inFlight == 0 && !closing) {
            closing = true;
            // Behind any reply the loop wrote itself (errors, PING) that may still be unflushed.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Back-pressure: a peer that does not read its responses stops being read, so it cannot send us more work
     * while its replies pile up; nor is a connection read once it is closing or its peer shut down its side.
     */
    void updateReading() {
        ctx.channel().config().setAutoRead(!closing && !inputShutdown && !dispatcher.frozen() && !authenticating
                && ctx.channel().isWritable());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (inFlight > 0) {
                // Waiting for our answer is not idle (a REPAIR may run for minutes); the timer fires again.
                return;
            }
            log.debug("{}: idle, closing", ctx.channel());
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            if (authenticating) {
                // Gone before its HELLO was answered: close, so its queued password check is dropped unhashed.
                closing = true;
                ctx.close();
            } else if (dispatcher.frozen() || !heldWhileFrozen.isEmpty()) {
                heldWhileFrozen.add(evt); // after the requests held before it
            } else {
                onInputShutdown();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Netty would close at once and lose the answers to requests already executed; answer them first. */
    private void onInputShutdown() {
        log.debug("{}: peer shut down its output with {} requests in flight", ctx.channel(), inFlight);
        submitBatch();
        inputShutdown = true;
        updateReading();
        closeIfDone();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (a reset connection) end up here; they end this connection and nothing else.
        if (TlsFailures.isRefusal(cause) && TLS_REFUSAL_LOG.tryAcquire()) {
            // An operator whose node has the wrong CA would otherwise see nothing at all.
            log.warn("{}: TLS handshake refused (a certificate not of this cluster's CA, expired, or none where"
                    + " one is required; at most one such line a second): {}", ctx.channel(), cause.getMessage());
        } else {
            log.debug("{}: closing after {}", ctx.channel(), cause.toString());
        }
        ctx.close();
    }
}
