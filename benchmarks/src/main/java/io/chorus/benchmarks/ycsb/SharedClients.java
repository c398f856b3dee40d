package io.chorus.benchmarks.ycsb;

import io.chorus.client.ChorusClient;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link ChorusClient} per cluster for all YCSB threads of a JVM, counted: the first {@link #acquire}
 * connects, the last {@link #release} closes. YCSB makes one {@code DB} instance per thread by reflection and
 * gives them nothing to share but properties, so this JVM-wide table is the one place they can meet (the
 * project otherwise avoids statics). Sharing is what a Chorus application does: the client is thread-safe and
 * multiplexes every thread's requests over one connection per node, where a client per thread would open 50
 * connections per node and measure connection handling instead. Keyed by {@link ChorusYcsbSettings.Connection},
 * so bindings pointed at different clusters in one JVM (the tests) each get their own.
 *
 * <p>Thread-safe: every method holds the table's lock; {@code connect} runs under it too, so the threads that
 * start together wait for the one connecting rather than racing to connect.
 */
final class SharedClients {

    private static final Map<ChorusYcsbSettings.Connection, Entry> CLIENTS = new HashMap<>();

    private SharedClients() {
    }

    /** The client for {@code connection}, connecting it if no binding holds one; fails as connect does. */
    static synchronized ChorusClient acquire(ChorusYcsbSettings.Connection connection) {
        Entry e = CLIENTS.get(connection);
        if (e == null) {
            e = new Entry(ChorusClient.connect(connection.clientConfig()));
            CLIENTS.put(connection, e);
        }
        e.references++;
        return e.client;
    }

    /** Gives back one {@link #acquire}; the last one closes the client. */
    static synchronized void release(ChorusYcsbSettings.Connection connection) {
        Entry e = CLIENTS.get(connection);
        if (e == null) {
            return;
        }
        if (--e.references == 0) {
            CLIENTS.remove(connection);
            e.client.close();
        }
    }

    /** How many bindings hold the client for {@code connection} (0: none is open). */
    static synchronized int references(ChorusYcsbSettings.Connection connection) {
        Entry e = CLIENTS.get(connection);
        return e == null ? 0 : e.references;
    }

    private static final class Entry {
        final ChorusClient client;
        int references;

        Entry(ChorusClient client) {
            this.client = client;
        }
    }
}
