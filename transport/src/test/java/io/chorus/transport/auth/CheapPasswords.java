package io.chorus.transport.auth;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Password hashes of the fewest iterations {@link PasswordHash} accepts, for tests that check passwords thousands of
 * times (a fuzzer: a real hash costs some 60 ms each). Test sources only, so that main code can make no weak hash.
 * Stateless.
 */
public final class CheapPasswords {

    /** The least a stored hash may have ({@link PasswordHash#problem}). */
    public static final int ITERATIONS = 1_000;

    private CheapPasswords() {
    }

    /** A hash of {@code password} (UTF-8) with {@link #ITERATIONS} iterations. */
    public static String hash(String password) {
        return PasswordHash.hash(password.getBytes(StandardCharsets.UTF_8), ITERATIONS);
    }

    /** A {@link UserAuthenticator} whose decoy for unknown users is as cheap as these hashes. */
    public static UserAuthenticator authenticator(Supplier<UserTable> users, boolean anonymous) {
        return new UserAuthenticator(users, anonymous, hash("decoy"));
    }
}
