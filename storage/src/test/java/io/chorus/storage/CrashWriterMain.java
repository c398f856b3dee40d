package io.chorus.storage;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link CrashRecoveryTest}: opens an engine in SYNC mode and writes from a few threads
 * until killed, printing {@code ACK <key>} only after a put's future completed. Exits by itself after a minute in
 * case its parent died.
 *
 * <p>Usage: {@code CrashWriterMain <dataDir> <threads>}
 */
public final class CrashWriterMain {

    static final int PARTITION = 42;
    private static final long SELF_DESTRUCT_NANOS = 60_000_000_000L;
    /** Writes in flight per thread, so the writer has concurrent work to group. */
    private static final int IN_FLIGHT = 16;

    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        PrintStream out = utf8Stdout();
        LmdbStorageEngine engine =
                LmdbStorageEngine.open(StorageConfig.builder(dir).durability(Durability.SYNC).build());
        out.println("READY " + engine.epoch());
        long deadline = System.nanoTime() + SELF_DESTRUCT_NANOS;
        Thread[] writers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers[t] = new Thread(() -> write(engine, thread, out, deadline), "crash-writer-" + t);
            writers[t].start();
        }
        for (Thread w : writers) {
            w.join();
        }
        engine.close();
    }

    private static void write(LmdbStorageEngine engine, int thread, PrintStream out, long deadline) {
        ActorId actor = ActorId.of("crash-" + thread, 1);
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        for (int i = 0; System.nanoTime() < deadline; i++) {
            String key = "t" + thread + "-" + i;
            inFlight.acquireUninterruptibly();
            SiblingSet value = SiblingSet.empty().update(VersionVector.empty(), actor, value(key), 1);
            engine.put(PARTITION, key.getBytes(StandardCharsets.UTF_8), value).whenComplete((stored, error) -> {
                if (error == null) {
                    synchronized (out) {
                        out.println("ACK " + key);
                        out.flush();
                    }
                }
                inFlight.release();
            });
        }
    }

    static byte[] value(String key) {
        return ("value-of-" + key).getBytes(StandardCharsets.UTF_8);
    }

    private static PrintStream utf8Stdout() throws UnsupportedEncodingException {
        return new PrintStream(System.out, false, StandardCharsets.UTF_8.name());
    }
}
