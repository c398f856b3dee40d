package io.chorus.benchmarks.ycsb;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The yardstick: the same YCSB workloads against one Redis server, so that Chorus's figures have a well-known
 * neighbour measured on the same machine by the same client ({@code -db io.chorus.benchmarks.ycsb.RedisYcsbClient};
 * {@code benchmarks/ycsb.sh --redis} starts the server). A record is a Redis hash: insert and update are HSET of
 * the fields, read is HGETALL (all fields) or HMGET, delete is DEL, as in YCSB's own Redis binding (which is not
 * on Maven Central). Unlike that binding, insert adds no sorted-set index for scans, and scan is
 * NOT_IMPLEMENTED, as for Chorus: Redis does slightly less work per insert than there, never more. A read that
 * finds no field is NOT_FOUND.
 *
 * <p>Properties: {@code redis.host} (default 127.0.0.1), {@code redis.port} (6379), {@code redis.timeout_ms}
 * (2000); {@code warmup.seconds} and {@code warmup.threads} as for Chorus ({@link Warmup}). Each YCSB thread has
 * its own connection: a Jedis connection is not thread-safe, and Redis answers the requests of one connection in
 * order, so sharing one would serialise the threads. Errors are statuses:
 * SERVICE_UNAVAILABLE when the connection fails, ERROR otherwise.
 *
 * <p>Used by one YCSB thread only, like every {@code DB}.
 */
public final class RedisYcsbClient extends DB {

    public static final String HOST = "redis.host";
    public static final String PORT = "redis.port";
    public static final String TIMEOUT_MS = "redis.timeout_ms";

    private Jedis jedis;

    @Override
    public void init() throws DBException {
        try {
            String host = getProperties().getProperty(HOST, "127.0.0.1");
            int port = Integer.parseInt(getProperties().getProperty(PORT, "6379").trim());
            int timeout = Integer.parseInt(getProperties().getProperty(TIMEOUT_MS, "2000").trim());
            jedis = new Jedis(host, port, timeout);
            jedis.ping();
        } catch (RuntimeException e) {
            cleanup();
            throw new DBException("redis: cannot connect: " + e, e);
        }
        Warmup.beforeRun(getProperties(), RedisYcsbClient::started);
    }

    private static DB started(java.util.Properties properties) throws DBException {
        RedisYcsbClient db = new RedisYcsbClient();
        db.setProperties(properties);
        db.init();
        return db;
    }

    @Override
    public void cleanup() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // The run is over; a connection that fails to close has nothing left to lose.
            }
            jedis = null;
        }
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            if (fields == null) {
                Map<byte[], byte[]> all = jedis.hgetAll(bytes(key));
                if (all.isEmpty()) {
                    return Status.NOT_FOUND;
                }
                all.forEach((f, v) -> result.put(new String(f, StandardCharsets.UTF_8), new ByteArrayByteIterator(v)));
                return Status.OK;
            }
            byte[][] names = fields.stream().map(RedisYcsbClient::bytes).toArray(byte[][]::new);
            List<byte[]> values = jedis.hmget(bytes(key), names);
            boolean any = false;
            for (int i = 0; i < names.length; i++) {
                if (values.get(i) != null) {
                    result.put(new String(names[i], StandardCharsets.UTF_8), new ByteArrayByteIterator(values.get(i)));
                    any = true;
                }
            }
            return any ? Status.OK : Status.NOT_FOUND;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    @Override
    public Status scan(String table, String startkey, int recordcount, Set<String> fields,
                       Vector<HashMap<String, ByteIterator>> result) {
        return Status.NOT_IMPLEMENTED;
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        return hset(key, values);
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        return hset(key, values);
    }

    @Override
    public Status delete(String table, String key) {
        try {
            return jedis.del(bytes(key)) == 0 ? Status.NOT_FOUND : Status.OK;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    private Status hset(String key, Map<String, ByteIterator> values) {
        try {
            Map<byte[], byte[]> hash = new HashMap<>();
            values.forEach((f, v) -> hash.put(bytes(f), v.toArray()));
            jedis.hset(bytes(key), hash);
            return Status.OK;
        } catch (RuntimeException e) {
            return status(e);
        }
    }

    private static Status status(RuntimeException e) {
        return e instanceof JedisConnectionException ? Status.SERVICE_UNAVAILABLE : Status.ERROR;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
