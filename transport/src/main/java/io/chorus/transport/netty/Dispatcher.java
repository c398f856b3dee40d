package io.chorus.transport.netty;

import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.auth.Authenticator;
import io.chorus.transport.protocol.Role;
import java.net.InetAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a server's connections share: the config, the {@link ConnectionBudget}, the executor requests are dispatched to (handlers run on an event
 * loop only for the opcodes they declare {@linkplain RequestHandler#nonBlocking non-blocking}), and the handler
 * for each role. The handlers can be installed, swapped or removed while the server runs; a role without a handler gets UNAVAILABLE. Thread-safe: the handlers are volatile.
 */
final class Dispatcher {

    private final ServerConfig config;
    private final Executor executor;
    private final ConnectionBudget budget;
    private volatile RequestHandler clientHandler;
    private volatile RequestHandler nodeHandler;
    private volatile boolean frozen;
    private volatile Authenticator authenticator;
    /**
     * Where client credentials are checked: one thread, so that a crowd of logins (each a PBKDF2 hash, tens of
     * milliseconds) takes at most one core from the requests of clients already in, and a bounded queue, over
     * which a HELLO gets OVERLOADED. The thread ends when idle, so a stopped server leaves none behind.
     */
    private final Executor authExecutor;

    Dispatcher(ServerConfig config, Executor executor) {
        this(config, executor, authThread(config));
    }

    /**
     * With credentials checked on {@code authExecutor} instead of the auth thread, for tests on an EmbeddedChannel:
     * {@code Runnable::run} checks a HELLO at once, a queue the test drains checks it when the test says
     * (HelloFuzzTest); either way the outcome is then a pending task of the channel's loop.
     */
    Dispatcher(ServerConfig config, Executor executor, Executor authExecutor) {
        this.config = config;
        this.executor = executor;
        this.budget = new ConnectionBudget(config);
        this.authExecutor = authExecutor;
    }

    private static ThreadPoolExecutor authThread(ServerConfig config) {
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(AUTH_QUEUE), r -> {
                    Thread t = new Thread(r, "chorus-auth-" + config.nodeId().name() + "-"
                            + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * HELLOs waiting for their password check, at most; more are refused with OVERLOADED. At about 60 ms a hash,
     * the last one waits under 4 s, inside the 5 s handshake deadline.
     */
    static final int AUTH_QUEUE = 64;
    /** Password checks waiting or running per remote address, at most. */
    static final int PASSWORD_CHECKS_PER_SOURCE = 4;
    private final ConcurrentHashMap<InetAddress, Integer> passwordChecks =
            new ConcurrentHashMap<>();

    /** A place in the password queue for {@code source} (null: unknown, not limited); false when it has its fill. */
    boolean takePasswordCheck(InetAddress source) {
        if (source == null) {
            return true;
        }
        boolean[] taken = {false};
        passwordChecks.compute(source, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= PASSWORD_CHECKS_PER_SOURCE) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    void releasePasswordCheck(InetAddress source) {
        if (source != null) {
            passwordChecks.computeIfPresent(source, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** The client authenticator, or null when clients are not authenticated (every request allowed). */
    Authenticator authenticator() {
        return authenticator;
    }

    void authenticateClients(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    Executor authExecutor() {
        return authExecutor;
    }

    ServerConfig config() {
        return config;
    }

    Executor executor() {
        return executor;
    }

    ConnectionBudget budget() {
        return budget;
    }

    /** Whether connections are kept from reading: a frozen node, as a stopped process that still accepts. */
    boolean frozen() {
        return frozen;
    }

    void frozen(boolean frozen) {
        this.frozen = frozen;
    }

    void serve(Role role, RequestHandler handler) {
        if (role == Role.CLIENT) {
            clientHandler = handler;
        } else {
            nodeHandler = handler;
        }
    }

    /** The handler for a role, or null when none is installed. */
    RequestHandler handlerFor(Role role) {
        return role == Role.CLIENT ? clientHandler : nodeHandler;
    }
}
