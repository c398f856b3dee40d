package io.chorus.transport.auth;

import io.chorus.transport.protocol.Permission;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who a client connection is, once its HELLO is accepted, and what it may do. Immutable.
 *
 * @param name        the user name (ANONYMOUS for a connection without credentials where that is allowed)
 * @param permissions the roles granted; ADMIN implies every other
 * @param method      how the identity was proven
 */
public record Principal(String name, Set<Permission> permissions, Method method) {

    /** How a principal was authenticated. */
    public enum Method { ANONYMOUS, PASSWORD, CERTIFICATE }

    /** The name anonymous connections are known by in logs. */
    public static final String ANONYMOUS_NAME = "anonymous";

    public Principal {
        if (name == null || permissions == null || method == null) {
            throw new IllegalArgumentException("name, permissions and method must be given");
        }
        // ADMIN is every role, so a check never has to know that.
        permissions = Collections.unmodifiableSet(permissions.contains(Permission.ADMIN)
                ? EnumSet.allOf(Permission.class)
                : permissions.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(permissions));
    }

    /** Anonymous access where the node allows it: every role, as before authentication existed. */
    public static Principal anonymous() {
        return new Principal(ANONYMOUS_NAME, EnumSet.allOf(Permission.class), Method.ANONYMOUS);
    }

    /** Whether this principal may do what needs {@code permission}; null (no permission needed) always may. */
    public boolean may(Permission permission) {
        return permission == null || permissions.contains(permission);
    }
}
