package io.chorus.storage;

import io.chorus.core.causal.ActorId;
import io.chorus.core.causal.Sibling;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.causal.VersionVector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Shared helpers for the storage tests. */
final class TestData {

    static final ActorId A = ActorId.of("node-a", 1);
    static final ActorId B = ActorId.of("node-b", 1);
    static final ActorId C = ActorId.of("node-c", 1);

    private TestData() {
    }

    /** NOSYNC for speed; the crash test uses SYNC explicitly. */
    static StorageConfig.Builder config(Path dir) {
        return StorageConfig.builder(dir).durability(Durability.NOSYNC).initialMapSize(8L << 20);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A coordinator write of {@code value} by {@code actor} on top of {@code base}, with base's context. */
    static SiblingSet written(SiblingSet base, ActorId actor, String value) {
        return base.update(base.context(), actor, bytes(value), 1_000);
    }

    /** A fresh write that has seen nothing. */
    static SiblingSet blind(ActorId actor, String value) {
        return SiblingSet.empty().update(VersionVector.empty(), actor, bytes(value), 1_000);
    }

    static List<String> values(SiblingSet s) {
        return s.liveSiblings().stream().map(Sibling::value).map(TestData::string).sorted().toList();
    }

    /** Waits for a future with a deadline, so a hung writer fails the test instead of hanging the build. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            // Wrapped, so the report shows the test line; the writer thread's trace is the cause.
            throw new AssertionError("write failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete in 30 s", e);
        }
    }

    /** The exception a future failed with (unwrapped); fails the test if it succeeded. */
    static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the future to fail");
    }
}
