/**
 * Who a client is and what it may do: {@link io.chorus.transport.auth.Authenticator} turns a HELLO's credentials
 * or TLS certificate into a {@link io.chorus.transport.auth.Principal}; {@link io.chorus.transport.auth.UserTable}
 * holds the users with their roles and salted, slow password hashes ({@link io.chorus.transport.auth.PasswordHash});
 * {@link io.chorus.transport.auth.UsersFile} reads them from a file and re-reads it when it changes. Pure Java (the
 * JDK's PBKDF2), no Netty: the server calls the authenticator off its event loops.
 */
package io.chorus.transport.auth;
