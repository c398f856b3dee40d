package io.chorus.transport.auth;

import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.transport.protocol.PasswordCredentials;
import io.chorus.transport.tls.TlsIdentity;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Authenticates clients against a {@link UserTable}, in this order: a HELLO with a password is checked against
 * that user's hash (a wrong password fails even where anonymous access is allowed: a client that tries to be
 * someone is never quietly made someone else); without one, a verified TLS client certificate naming a user
 * (any of its names, {@link TlsIdentity#names}) is that user; without either, the client is
 * {@linkplain Principal#anonymous() anonymous} if the node allows it, and refused otherwise.
 *
 * <p>An unknown user costs the same hash computation as a known one and gets the same message, so neither time
 * nor text tells which user names exist. Thread-safe (the table supplier must be).
 */
public final class UserAuthenticator implements Authenticator {

    /** Compared against when the user does not exist, so that a miss takes as long as a wrong password. */
    private static final String DECOY = PasswordHash.hash("decoy".getBytes(StandardCharsets.UTF_8));

    private final Supplier<UserTable> users;
    private final boolean anonymous;
    private final String decoy;

    /** @param anonymous whether a client with neither password nor a user's certificate may connect (all roles) */
    public UserAuthenticator(Supplier<UserTable> users, boolean anonymous) {
        this(users, anonymous, DECOY);
    }

    /**
     * With {@code decoy} as the hash an unknown user's password is checked against. For tests whose users have
     * hashes of few iterations: a decoy as cheap keeps a miss as costly as a wrong password there too, and a
     * fuzzer that tries many user names at its full speed.
     */
    UserAuthenticator(Supplier<UserTable> users, boolean anonymous, String decoy) {
        if (users == null || PasswordHash.problem(decoy) != null) {
            throw new IllegalArgumentException("users and a well-formed decoy hash must be given");
        }
        this.users = users;
        this.anonymous = anonymous;
        this.decoy = decoy;
    }

    public boolean allowsAnonymous() {
        return anonymous;
    }

    /** The table as last read, without a file check when it is a {@link UsersFile}: safe on an event loop. */
    private UserTable now() {
        return users instanceof UsersFile file ? file.current() : users.get();
    }

    @Override
    public Object version() {
        return now();
    }

    @Override
    public Principal current(Principal signedIn) {
        if (signedIn.method() == Principal.Method.ANONYMOUS) {
            return signedIn;
        }
        Optional<UserTable.User> user = now().user(signedIn.name());
        if (user.isEmpty()) {
            return null;
        }
        Principal now = new Principal(signedIn.name(), user.get().roles(), signedIn.method());
        return now.permissions().equals(signedIn.permissions()) ? signedIn : now;
    }

    @Override
    public boolean namesUser(String name) {
        return now().user(name).isPresent();
    }

    @Override
    public Principal authenticate(PasswordCredentials credentials, X509Certificate certificate) {
        UserTable table = users.get();
        if (credentials != null) {
            return byPassword(table, credentials);
        }
        if (certificate != null) {
            for (String name : TlsIdentity.names(certificate)) {
                Optional<UserTable.User> user = table.user(name);
                if (user.isPresent()) {
                    return new Principal(name, user.get().roles(), Principal.Method.CERTIFICATE);
                }
            }
        }
        if (anonymous) {
            return Principal.anonymous();
        }
        throw new ChorusException(ErrorCode.UNAUTHENTICATED, certificate == null
                ? "this node requires authentication: send a user name and password in the HELLO, or connect"
                        + " with TLS and a client certificate naming a user"
                : "the client certificate names " + TlsIdentity.names(certificate) + ", none of them a user of"
                        + " this node; send a user name and password in the HELLO");
    }

    private Principal byPassword(UserTable table, PasswordCredentials credentials) {
        Optional<UserTable.User> user = table.user(credentials.user());
        String hash = user.map(UserTable.User::passwordHash).orElse(null);
        byte[] password = credentials.password();
        try {
            boolean matches = PasswordHash.verify(hash == null ? decoy : hash, password);
            if (hash == null || !matches) {
                throw new ChorusException(ErrorCode.UNAUTHENTICATED, "wrong user name or password for "
                        + credentials.user());
            }
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        return new Principal(credentials.user(), user.get().roles(), Principal.Method.PASSWORD);
    }
}
