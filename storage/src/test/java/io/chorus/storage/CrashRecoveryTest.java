package io.chorus.storage;

import static io.chorus.storage.TestData.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.causal.SiblingSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 of a writing process: after restart the environment opens cleanly and every write that was acknowledged
 * (its future completed, so its batch committed and fsynced) is there with its value.
 */
class CrashRecoveryTest {

    private static final int ACKS_BEFORE_KILL = 2000;
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKill9() throws Exception {
        Path data = dir.resolve("data");
        Path childErr = dir.resolve("child.err");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CrashWriterMain.class.getName(),
                data.toString(), Integer.toString(THREADS));
        Process child = new ProcessBuilder(command).redirectError(childErr.toFile()).start();
        List<String> acked = new ArrayList<>();
        try {
            // Read on another thread, so a silent child cannot hang the test past its deadline.
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> readAcks(child, acked));
            try {
                reading.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("child acknowledged only " + count(acked) + " writes in 60 s; stderr:\n"
                        + Files.readString(childErr), e);
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child killed").isTrue();
        }
        List<String> keys;
        synchronized (acked) {
            keys = List.copyOf(acked);
        }
        assertThat(keys).as("stderr: %s", Files.readString(childErr)).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        try (LmdbStorageEngine engine = LmdbStorageEngine.open(TestData.config(data).build())) {
            for (String key : keys) {
                SiblingSet stored = engine.get(CrashWriterMain.PARTITION, bytes(key));
                assertThat(stored.liveSiblings()).as(key).hasSize(1);
                assertThat(stored.liveSiblings().get(0).value()).as(key).isEqualTo(CrashWriterMain.value(key));
            }
            // And the store takes writes again.
            TestData.await(engine.put(0, bytes("after-crash"), TestData.blind(TestData.A, "ok")));
        }
    }

    private static void readAcks(Process child, List<String> acked) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    synchronized (acked) {
                        acked.add(line.substring(4));
                        if (acked.size() >= ACKS_BEFORE_KILL) {
                            return;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(List<String> acked) {
        synchronized (acked) {
            return acked.size();
        }
    }
}
