package io.chorus.client;

import java.util.concurrent.CompletableFuture;

/**
 * Read-modify-write, the causal path made easy for users who think in overwrites: read the key, let a resolver
 * turn what is there (every sibling, or nothing) into the one value to store, and write it with the read's
 * context, so the write supersedes exactly what was read. When the write's answer still shows siblings (another
 * writer's write was concurrent with this one), the resolver runs again on that answer and the write is repeated
 * with its context, up to {@code attempts} writes; what is left then stays as siblings, never silently dropped.
 * Stateless.
 */
final class Updates {

    private Updates() {
    }

    /**
     * @param resolver the new value from the current object; {@code null} leaves the key as it is (no write)
     */
    static CompletableFuture<ChorusObject> update(ChorusClient client, byte[] key,
            java.util.function.Function<ChorusObject, byte[]> resolver, RequestOptions opts, int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        return client.getAsync(key, opts).thenCompose(read -> write(client, key, read, resolver, opts, attempts));
    }

    private static CompletableFuture<ChorusObject> write(ChorusClient client, byte[] key, ChorusObject current,
            java.util.function.Function<ChorusObject, byte[]> resolver, RequestOptions opts, int attemptsLeft) {
        byte[] value = resolver.apply(current);
        if (value == null) {
            return CompletableFuture.completedFuture(current);
        }
        return client.putAsync(key, value, current.context(), opts).thenCompose(written -> {
            if (!written.hasConflict() || attemptsLeft <= 1) {
                return CompletableFuture.completedFuture(written);
            }
            return write(client, key, written, resolver, opts, attemptsLeft - 1);
        });
    }
}
