package io.chorus.server.security;

import java.nio.file.Path;

/**
 * How a node authenticates clients (docs/security.md, "Clients"): the users file it checks passwords and
 * certificate names against, and whether a client with neither may still connect. Anonymous access gives every
 * role, as before authentication existed; it is for the embedded quick start and tests, and a node that allows it
 * says so at start. Immutable.
 *
 * @param usersFile the users file ({@code chorus users add}), or null for no users
 * @param anonymous whether clients without credentials are let in
 */
public record AuthConfig(Path usersFile, boolean anonymous) {

    /** No users, everyone in: the embedded cluster's and tests' default. */
    public static AuthConfig anonymousAccess() {
        return new AuthConfig(null, true);
    }

    /** Whether any client could ever connect: through the users file, or anonymously. */
    public boolean admitsAnyone() {
        return usersFile != null || anonymous;
    }
}
