package io.chorus.transport.protocol;

import java.util.Locale;

/**
 * What an authenticated client may do, granted to users as roles (docs/security.md, "Roles"): read keys, write
 * and delete them, or administer the cluster (membership changes, repair, stats, backups). The roles are
 * independent, except that ADMIN is granted every one (an operator who can remove nodes can do anything else).
 * {@link Opcodes#permission} says which an opcode needs. Immutable.
 */
public enum Permission {
    READ,
    WRITE,
    ADMIN;

    /** The lower-case name used in the users file and the docs. */
    public String role() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The permission named {@code role} (read, write, admin; any case). */
    public static Permission ofRole(String role) {
        for (Permission p : values()) {
            if (p.role().equalsIgnoreCase(role)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown role '" + role + "': roles are read, write and admin");
    }
}
