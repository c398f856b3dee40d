package io.chorus.transport.auth;

import io.chorus.core.NodeId;
import io.chorus.transport.protocol.Permission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The users a node knows, as its users file lists them, one per line: {@code NAME ROLES HASH}, where ROLES is a
 * comma-separated subset of read, write, admin, and HASH a {@link PasswordHash} or {@code -} for a user who
 * authenticates only by a TLS client certificate naming them. Blank lines and lines starting with {@code #} are
 * ignored. Passwords are never here, only their hashes. Immutable; {@link #with} and {@link #without} make edited
 * copies for the CLI.
 */
public final class UserTable {

    /** One user: the roles granted and the password hash, or null for certificate-only. */
    public record User(String name, Set<Permission> roles, String passwordHash) {
        public User {
            new NodeId(name); // the same rules as every other name: 1..255 bytes, no whitespace
            if (name.equals(Principal.ANONYMOUS_NAME)) {
                throw new IllegalArgumentException("'" + name + "' is the name of clients without credentials;"
                        + " pick another");
            }
            if (roles == null || roles.isEmpty()) {
                throw new IllegalArgumentException("user " + name + " has no role");
            }
            roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
            if (passwordHash != null && PasswordHash.problem(passwordHash) != null) {
                throw new IllegalArgumentException("user " + name + ": " + PasswordHash.problem(passwordHash));
            }
        }

        @Override
        public String toString() {
            return "User[" + name + ", " + roles + (passwordHash == null ? ", certificate only" : ", password")
                    + "]";
        }
    }

    private static final UserTable EMPTY = new UserTable(Map.of());

    private final Map<String, User> users;

    private UserTable(Map<String, User> users) {
        this.users = users;
    }

    public static UserTable empty() {
        return EMPTY;
    }

    /**
     * Parses a users file's text.
     *
     * @throws IllegalArgumentException naming {@code source} and the line of the first problem
     */
    public static UserTable parse(String text, String source) {
        Map<String, User> users = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            String[] fields = line.split("\\s+");
            if (fields.length != 3) {
                throw new IllegalArgumentException(where + "expected NAME ROLES HASH (or - for certificate only), got "
                        + fields.length + " fields");
            }
            try {
                Set<Permission> roles;
                try {
                    roles = roles(fields[1]);
                } catch (IllegalArgumentException e) {
                    // Not the field's text: a line with its fields out of order might show a password here.
                    throw new IllegalArgumentException("the second field is not roles (a comma-separated subset of"
                            + " read, write, admin)", e);
                }
                User user = new User(fields[0], roles, fields[2].equals("-") ? null : fields[2]);
                if (users.putIfAbsent(user.name(), user) != null) {
                    throw new IllegalArgumentException("user " + user.name() + " is listed twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        }
        return new UserTable(Collections.unmodifiableMap(users));
    }

    /** Roles as written in the file: {@code read,write}. */
    public static Set<Permission> roles(String commaSeparated) {
        Set<Permission> roles = EnumSet.noneOf(Permission.class);
        for (String role : commaSeparated.split(",")) {
            roles.add(Permission.ofRole(role.strip()));
        }
        return roles;
    }

    public Optional<User> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    public List<User> users() {
        return List.copyOf(users.values());
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    /** A copy with {@code user} added, or replacing the user of that name. */
    public UserTable with(User user) {
        Map<String, User> copy = new LinkedHashMap<>(users);
        copy.put(user.name(), user);
        return new UserTable(Collections.unmodifiableMap(copy));
    }

    /** A copy without the user {@code name} (the same table when there is none). */
    public UserTable without(String name) {
        Map<String, User> copy = new LinkedHashMap<>(users);
        copy.remove(name);
        return new UserTable(Collections.unmodifiableMap(copy));
    }

    /** The file's text, with a header saying what the fields are; {@link #parse} reads it back. */
    public String render() {
        List<String> lines = new ArrayList<>();
        lines.add("# Chorus users: NAME ROLES HASH (roles: read, write, admin; HASH '-' = TLS client certificate only).");
        lines.add("# Edit with 'chorus users add|remove|list --file FILE'; every node re-reads it when it changes.");
        for (User u : users.values()) {
            lines.add(u.name() + " " + u.roles().stream().map(Permission::role).collect(Collectors.joining(","))
                    + " " + (u.passwordHash() == null ? "-" : u.passwordHash()));
        }
        return String.join("\n", lines) + "\n";
    }
}
