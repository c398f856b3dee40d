package io.chorus.transport.auth;

import io.chorus.core.error.ChorusException;
import io.chorus.transport.protocol.PasswordCredentials;
import java.security.cert.X509Certificate;

/**
 * Decides who a client is from what its HELLO and its TLS handshake proved. The server calls {@link #authenticate}
 * once per client connection, off its event loops (a password check is deliberately slow); the other methods are
 * called on event loops, per request or per node HELLO, and must be cheap and never block. Thread-safe.
 */
public interface Authenticator {

    /**
     * The principal a client connection acts as.
     *
     * @param credentials the HELLO's password credentials, or null
     * @param certificate the client's TLS certificate, verified against the CA by the handshake, or null
     * @throws ChorusException UNAUTHENTICATED, with a message for the client that says what is missing or wrong
     *                         (never whether a user exists)
     */
    Principal authenticate(PasswordCredentials credentials, X509Certificate certificate);

    /**
     * What changes when the users change: the server compares it by identity before each request and, when it
     * moved, asks {@link #current} again. Null (the default) for users that never change.
     */
    default Object version() {
        return null;
    }

    /**
     * The principal {@code signedIn} is now: the same, one with other roles, or null when it may no longer act
     * (the user was removed). On the loop: a lookup, never a file read.
     */
    default Principal current(Principal signedIn) {
        return signedIn;
    }

    /** Whether {@code name} is a user: such a name is never accepted as a node's, whatever certificate names it. */
    default boolean namesUser(String name) {
        return false;
    }
}
