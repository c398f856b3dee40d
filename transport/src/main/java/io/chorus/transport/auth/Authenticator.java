package io.chorus.transport.auth;

import io.chorus.core.error.ChorusException;
import io.chorus.transport.protocol.PasswordCredentials;
import java.security.cert.X509Certificate;

/**
 * Decides who a client is from what its HELLO and its TLS handshake proved. The server calls it once per client
 * connection, on its dispatch executor, never on an event loop: a password check is deliberately slow. Thread-safe.
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
}
