package io.chorus.transport.netty;

import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.auth.Authenticator;
import io.chorus.transport.protocol.Role;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's protocol server. Connections say HELLO with a role; requests from clients go to the handler installed
 * with {@link #serveClients}, requests from other nodes to the one installed with {@link #serveNodes} (the HELLO's
 * name is their {@code from}). Handlers run on the dispatch executor given here, and on an event loop only for the
 * opcodes they declare {@linkplain io.chorus.core.transport.RequestHandler#nonBlocking non-blocking}; until a
 * role has a handler its requests get UNAVAILABLE. HELLO and PING are answered by the server itself.
 *
 * <p>With a {@linkplain ServerConfig#peerListener() peer listener} it listens on two sockets, one for clients and
 * one for other nodes; both lead to the same connections, handlers and limits. The client socket then refuses a
 * node HELLO (FORBIDDEN), so node messages never come in on the port clients are given; the peer socket takes
 * either role (the HELLO decides, as on one socket), so an operator's CLI pointed at it still works.
 *
 * <p>With {@linkplain ServerConfig#tls() TLS}, every connection on either socket is TLS from its first byte; while
 * the server runs, its certificate files are checked for a change every reload interval (on the dispatch
 * executor), and connections accepted after a change use the new certificate.
 *
 * <p>Lifecycle: {@link #start()} binds and returns the port, {@link #stop()} closes the listening socket and every
 * connection and, if the server created its event loops, shuts them down; it can then be started again. Given
 * {@link EventLoops} are shared and left running. A client can make its own connection fail, never the server.
 *
 * <p>Thread-safe: start and stop are synchronized; handlers can be installed at any time.
 */
public final class ChorusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChorusServer.class);

    private final ServerConfig config;
    private final Dispatcher dispatcher;
    private final Executor dispatchExecutor;
    private final EventLoops sharedLoops;
    private EventLoops ownedLoops;
    private Channel listener;
    /** The peer listener's channel, or null when peers are served on {@link #listener}. */
    private Channel peerListener;
    private ChannelGroup connections;
    private ServerChannelInitializer initializer;
    /** Cancels the TLS reload checks, or null without TLS. */
    private Future<?> tlsReloads;

    /** A server that creates its event loops on start ({@code config.ioThreads()}) and shuts them down on stop. */
    public ChorusServer(ServerConfig config, Executor dispatchExecutor) {
        this(config, dispatchExecutor, null);
    }

    /** A server on shared event loops, which stop leaves running; null means create them as above. */
    public ChorusServer(ServerConfig config, Executor dispatchExecutor, EventLoops sharedLoops) {
        if (config == null || dispatchExecutor == null) {
            throw new IllegalArgumentException("config and dispatch executor must be given");
        }
        this.config = config;
        this.dispatcher = new Dispatcher(config, dispatchExecutor);
        this.dispatchExecutor = dispatchExecutor;
        this.sharedLoops = sharedLoops;
    }

    public ServerConfig config() {
        return config;
    }

    /** Installs (or with null removes) the handler for requests from clients. */
    public void serveClients(RequestHandler handler) {
        dispatcher.serve(Role.CLIENT, handler);
    }

    /**
     * Checks every client HELLO with {@code authenticator} from now on (null: clients are not authenticated and
     * may send every client opcode, as a server without users does). Each accepted client then gets only the
     * opcodes its roles allow ({@link io.chorus.transport.protocol.Opcodes#permission}); others are FORBIDDEN.
     * Connections already open keep the identity they had.
     */
    public void authenticateClients(Authenticator authenticator) {
        dispatcher.authenticateClients(authenticator);
    }

    /** Installs (or with null removes) the handler for requests from other nodes. */
    public void serveNodes(RequestHandler handler) {
        dispatcher.serve(Role.NODE, handler);
    }

    /**
     * Binds {@code config.host():config.port()}, and the peer listener if there is one, and returns the bound port
     * (the ephemeral one for port 0). If either bind fails, neither stays bound.
     */
    public synchronized int start() {
        if (listener != null) {
            throw new IllegalStateException("server already started on port " + port());
        }
        EventLoops loops = sharedLoops;
        if (loops == null) {
            ownedLoops = EventLoops.create(config.ioThreads(), "chorus-server-" + config.nodeId().name());
            loops = ownedLoops;
        }
        connections = new DefaultChannelGroup("connections-" + config.nodeId(), ImmediateEventExecutor.INSTANCE);
        initializer = new ServerChannelInitializer(dispatcher, connections);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                // A restarted node must be able to bind its port again while old connections sit in TIME_WAIT.
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // A peer that shuts down its output still gets the answers to what it sent (see the handler).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(initializer);
        InetSocketAddress peers = config.peerListener();
        // With a peer listener of its own, the client socket refuses nodes (docs/security.md, "Ports").
        ServerBootstrap clientBootstrap = peers == null ? bootstrap
                : bootstrap.clone().childHandler(initializer.refusingNodes());
        ChannelFuture bound = clientBootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            releaseLoops();
            throw cannotBind(config.host(), config.port(), bound.cause());
        }
        if (peers != null) {
            ChannelFuture peerBound = bootstrap.bind(peers.getHostString(), peers.getPort()).awaitUninterruptibly();
            if (!peerBound.isSuccess()) {
                bound.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                connections = null;
                initializer = null;
                releaseLoops();
                throw cannotBind(peers.getHostString(), peers.getPort(), peerBound.cause());
            }
            peerListener = peerBound.channel();
        }
        listener = bound.channel();
        if (config.tls() != null) {
            // The timer is an event loop's; the files are read on the dispatch executor, never on a loop.
            tlsReloads = config.tls().scheduleReloads(loops.group(), dispatchExecutor);
            log.info("{} TLS: {}", config.nodeId(), config.tls().describe());
        }
        if (peerListener == null) {
            log.info("{} listening on {} ({})", config.nodeId(), listener.localAddress(),
                    loops.isEpoll() ? "epoll" : "nio");
        } else {
            log.info("{} listening on {} for clients and {} for peers ({})", config.nodeId(),
                    listener.localAddress(), peerListener.localAddress(), loops.isEpoll() ? "epoll" : "nio");
        }
        return port();
    }

    /** The message names the address and the cause, so a launcher can print it as one line. */
    private static IllegalStateException cannotBind(String host, int port, Throwable cause) {
        return new IllegalStateException("cannot bind " + host + ":" + port + ": " + cause.getMessage(), cause);
    }

    /** The bound port, or -1 when not started. */
    public synchronized int port() {
        return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The bound port of the peer listener, {@link #port()} when there is none, or -1 when not started. */
    public synchronized int peerPort() {
        if (listener == null) {
            return -1;
        }
        return peerListener == null ? port() : ((InetSocketAddress) peerListener.localAddress()).getPort();
    }

    /** Connections currently open, including ones being refused over the limit. */
    public synchronized int connectionCount() {
        return initializer == null ? 0 : initializer.openConnections();
    }

    /**
     * Stops reading from every connection, open or still to come, while new ones are still accepted: the node
     * looks like a stopped process (SIGSTOP, a long pause) to its clients and peers, whose requests then go
     * unanswered. Replies to requests read before are still sent. For tests of what a frozen node does to others.
     */
    public synchronized void freeze() {
        dispatcher.frozen(true);
        if (connections != null) {
            connections.forEach(ch -> ch.config().setAutoRead(false));
        }
    }

    /** Reads again what {@link #freeze()} held back. */
    public synchronized void thaw() {
        dispatcher.frozen(false);
        if (connections != null) {
            connections.forEach(ch -> ch.eventLoop().execute(() -> {
                ServerConnectionHandler handler = ch.pipeline().get(ServerConnectionHandler.class);
                if (handler != null) {
                    handler.thaw();
                }
            }));
        }
    }

    /** Connection counts by kind, unflushed reply bytes, and what the server refused or closed since it started. */
    public TransportStats stats() {
        return dispatcher.budget().stats();
    }

    /** Closes the listening socket and every connection, then releases the server's own event loops. */
    public synchronized void stop() {
        stop(false);
    }

    /**
     * As {@link #stop()}, but every connection is reset (RST, unsent replies dropped) rather than closed in order:
     * what peers see when a process dies.
     */
    public synchronized void stopAbruptly() {
        stop(true);
    }

    private void stop(boolean reset) {
        if (listener == null) {
            return;
        }
        listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (tlsReloads != null) {
            tlsReloads.cancel(false);
            tlsReloads = null;
        }
        if (peerListener != null) {
            peerListener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            peerListener = null;
        }
        if (reset) {
            // After the listeners: no connection accepted in between closes in order.
            connections.forEach(ChorusServer::resetOnClose);
        }
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        listener = null;
        connections = null;
        initializer = null;
        releaseLoops();
        log.info("{} stopped", config.nodeId());
    }

    @Override
    public void close() {
        stop();
    }

    /** A connection closing by itself meanwhile (a peer hung up) has nothing left to reset. */
    private static void resetOnClose(Channel ch) {
        try {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (io.netty.channel.ChannelException closedMeanwhile) {
            // closed already: the group's close below is a no-op for it
        }
    }

    private void releaseLoops() {
        if (ownedLoops != null) {
            ownedLoops.close();
            ownedLoops = null;
        }
    }
}
