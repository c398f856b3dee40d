package io.chorus.transport.netty;

import io.chorus.core.transport.RequestHandler;
import io.chorus.transport.protocol.Role;
import java.util.concurrent.Executor;

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

    Dispatcher(ServerConfig config, Executor executor) {
        this.config = config;
        this.executor = executor;
        this.budget = new ConnectionBudget(config);
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
