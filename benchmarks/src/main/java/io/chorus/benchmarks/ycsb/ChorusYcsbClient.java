package io.chorus.benchmarks.ycsb;

import io.chorus.client.ChorusClient;
import io.chorus.client.ChorusObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The YCSB binding of Chorus, over the Java client ({@code -db io.chorus.benchmarks.ycsb.ChorusYcsbClient}; run
 * it with {@code benchmarks/ycsb.sh}, which starts a cluster and the YCSB client for you).
 *
 * <p><b>Properties</b> ({@code -p name=value}):
 * <table>
 * <caption>settings</caption>
 * <tr><td>{@code chorus.hosts}</td><td>{@code host:port,...}, seeds of the cluster (default {@code 127.0.0.1:7100})</td></tr>
 * <tr><td>{@code chorus.n}, {@code chorus.r}, {@code chorus.w}</td><td>replicas, read and write quorum of every
 *     request; absent or 0: the cluster's defaults</td></tr>
 * <tr><td>{@code chorus.timeout_ms}</td><td>the coordinator's deadline per request; absent: the node's</td></tr>
 * <tr><td>{@code chorus.update}</td><td>{@code rmw} (default) or {@code blind}: {@link UpdateMode}</td></tr>
 * <tr><td>{@code chorus.siblings}</td><td>{@code first} (default) or {@code merge}: {@link SiblingPolicy}</td></tr>
 * <tr><td>{@code chorus.connections}</td><td>connections per node of the shared client (default 1)</td></tr>
 * <tr><td>{@code chorus.io_threads}</td><td>event loop threads of the shared client (default 1)</td></tr>
 * <tr><td>{@code chorus.tls.ca}</td><td>PEM file of the cluster's CA: speak TLS (docs/security.md)</td></tr>
 * <tr><td>{@code chorus.tls.cert}, {@code chorus.tls.key}</td><td>a client certificate and its key, for nodes that
 *     require one</td></tr>
 * <tr><td>{@code chorus.user}, {@code chorus.password_file}</td><td>sign in as this user; the password is the
 *     file's first line (not a property, which {@code ps} would show)</td></tr>
 * <tr><td>{@code warmup.seconds}, {@code warmup.threads}</td><td>run the workload that long before the timed run:
 *     {@link Warmup}</td></tr>
 * </table>
 *
 * <p><b>Operations.</b> A record (YCSB's field map) is one value, {@link FieldCodec}-encoded; the key is YCSB's key
 * (the table is ignored: the core workloads use one, and YCSB's Redis binding does the same). {@code insert} is a
 * write without a context (the key is new). {@code read} decodes the value; with siblings it returns the one record
 * the {@link SiblingPolicy} picks; a missing or deleted key is {@code NOT_FOUND}. {@code update} reads, merges the
 * fields into the record and writes with the read's context, writing again (up to
 * {@link ChorusClient#UPDATE_ATTEMPTS} times, as {@link ChorusClient#update} does) while a concurrent writer's
 * sibling shows in the answer (mode {@code rmw}), or writes the fields with no context (mode {@code blind}). When
 * the thread's operation just before was a read of the same key (YCSB's read-modify-write, workload F), the
 * update starts from that read instead of reading again, as an application that read a record and then changed
 * it would: one round trip less, and a write that raced in between shows up as a sibling and is resolved. {@code delete} reads for the context and writes a tombstone over it. {@code scan} is
 * {@code NOT_IMPLEMENTED}: keys are hashed over the ring, there is no range to scan.
 *
 * <p><b>Errors</b> are statuses, never exceptions ({@link YcsbStatuses}): SERVICE_UNAVAILABLE for unreachable
 * replicas, timeouts and quorums not met, ERROR for the rest. Only {@link #init} throws, with DBException, when the
 * properties are wrong or no seed answers, which YCSB reports and stops on.
 *
 * <p><b>Threads.</b> YCSB makes one instance per client thread; each instance is used by its thread only. All
 * instances with the same connection settings share one {@link ChorusClient} ({@link SharedClients}).
 */
public final class ChorusYcsbClient extends DB {

    private ChorusYcsbSettings settings;
    private ChorusClient client;
    /** The read this thread made last, if its next operation is still to come: see {@link #update}. */
    private LastRead lastRead;

    /** A key and what a read of it returned. */
    private record LastRead(String key, ChorusObject object) {
    }

    @Override
    public void init() throws DBException {
        try {
            settings = ChorusYcsbSettings.from(getProperties());
        } catch (RuntimeException e) {
            throw new DBException("chorus: bad settings: " + e.getMessage(), e);
        }
        try {
            client = SharedClients.acquire(settings.connection());
        } catch (RuntimeException e) {
            throw new DBException("chorus: cannot connect to " + settings.connection().hosts() + ": " + e, e);
        }
        Warmup.beforeRun(getProperties(), ChorusYcsbClient::started);
    }

    private static DB started(java.util.Properties properties) throws DBException {
        ChorusYcsbClient db = new ChorusYcsbClient();
        db.setProperties(properties);
        db.init();
        return db;
    }

    @Override
    public void cleanup() {
        if (client != null) {
            client = null;
            SharedClients.release(settings.connection());
        }
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        lastRead = null;
        try {
            ChorusObject o = client.get(bytes(key), settings.options());
            lastRead = new LastRead(key, o);
            if (!o.found()) {
                return Status.NOT_FOUND;
            }
            TreeMap<String, byte[]> record = settings.siblings().resolve(o.values());
            for (Map.Entry<String, byte[]> field : record.entrySet()) {
                if (fields == null || fields.contains(field.getKey())) {
                    result.put(field.getKey(), new ByteArrayByteIterator(field.getValue()));
                }
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return YcsbStatuses.of(e);
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
                       Vector<HashMap<String, ByteIterator>> result) {
        return Status.NOT_IMPLEMENTED;
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        ChorusObject read = lastRead != null && lastRead.key().equals(key) ? lastRead.object() : null;
        lastRead = null;
        try {
            TreeMap<String, byte[]> fields = materialize(values);
            byte[] k = bytes(key);
            if (settings.update() == UpdateMode.BLIND) {
                client.put(k, FieldCodec.encode(fields), null, settings.options());
                return Status.OK;
            }
            UpdateCounts.UPDATES.increment();
            ChorusObject current = read;
            if (current == null) {
                UpdateCounts.READS.increment();
                current = client.get(k, settings.options());
            }
            for (int attempt = 1; ; attempt++) {
                TreeMap<String, byte[]> record = current.found() ? settings.siblings().resolve(current.values())
                        : new TreeMap<>();
                record.putAll(fields);
                UpdateCounts.WRITES.increment();
                ChorusObject written = client.put(k, FieldCodec.encode(record), current.context(),
                        settings.options());
                if (written.hasConflict()) {
                    UpdateCounts.CONFLICTS.increment();
                }
                // A sibling in the answer is a concurrent writer's (or one the read missed): resolve it with this
                // write's fields and write again, as ChorusClient.update does, so neither is silently kept apart.
                if (!written.hasConflict() || attempt >= ChorusClient.UPDATE_ATTEMPTS) {
                    return Status.OK;
                }
                current = written;
            }
        } catch (RuntimeException e) {
            return YcsbStatuses.of(e);
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        lastRead = null;
        try {
            client.put(bytes(key), FieldCodec.encode(materialize(values)), null, settings.options());
            return Status.OK;
        } catch (RuntimeException e) {
            return YcsbStatuses.of(e);
        }
    }

    @Override
    public Status delete(String table, String key) {
        lastRead = null;
        try {
            byte[] k = bytes(key);
            ChorusObject o = client.get(k, settings.options());
            if (!o.found()) {
                return Status.NOT_FOUND;
            }
            client.delete(k, o.context(), settings.options());
            return Status.OK;
        } catch (RuntimeException e) {
            return YcsbStatuses.of(e);
        }
    }

    /** The client this binding shares, for tests. */
    ChorusClient client() {
        return client;
    }

    /** YCSB's values as bytes; an iterator can be read only once. */
    private static TreeMap<String, byte[]> materialize(Map<String, ByteIterator> values) {
        TreeMap<String, byte[]> fields = new TreeMap<>();
        for (Map.Entry<String, ByteIterator> v : values.entrySet()) {
            fields.put(v.getKey(), v.getValue().toArray());
        }
        return fields;
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
