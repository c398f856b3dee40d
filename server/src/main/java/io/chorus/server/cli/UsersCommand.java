package io.chorus.server.cli;

import io.chorus.transport.auth.PasswordHash;
import io.chorus.transport.auth.UserTable;
import io.chorus.transport.protocol.Permission;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code chorus users add|remove|list --file FILE}: edits a node's users file ({@link UserTable}'s format) in place,
 * on the machine where it lies; nodes re-read it within a second, so a change needs no restart. Copy the same file
 * to every node. A password is hashed here (PBKDF2) and never written or printed; it comes from
 * {@code --password-file}, {@code $CHORUS_NEW_PASSWORD} or the terminal (typed twice). The file is replaced
 * atomically, keeping the owner, group and mode of the one it replaces (a new file is 0600; a symbolic link is
 * written through), under a lock file so that two edits at once do not lose one.
 * Exit 0 done, 1 the file could not be read or written, 2 a usage error (a bad name or role, a malformed file).
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = {"Edits a users file: who may connect as a client, with which roles (read, write, admin).",
            "Nodes read it from auth.users_file and re-read it when it changes."},
        subcommands = {UsersCommand.Add.class, UsersCommand.Remove.class, UsersCommand.ListUsers.class})
public final class UsersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return CertsCommand.EXIT_USAGE;
    }

    /** One line per error, the exit codes of {@link UsersCommand}. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--file", required = true, paramLabel = "FILE", description = "The users file.")
        Path file;

        abstract void run(PrintWriter out) throws IOException;

        @Override
        public final Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                run(out);
                return 0;
            } catch (IllegalArgumentException e) {
                err.println("chorus: " + e.getMessage());
                return CertsCommand.EXIT_USAGE;
            } catch (IOException e) {
                err.println("chorus: " + file + ": " + e);
                return CertsCommand.EXIT_FAILED;
            } finally {
                out.flush();
                err.flush();
            }
        }

        UserTable read() throws IOException {
            return Files.exists(file) ? UserTable.parse(Files.readString(file, StandardCharsets.UTF_8),
                    file.toString()) : UserTable.empty();
        }

        /**
         * Whole or not at all: a node never reads half a file. The new file gets the old one's owner, group and
         * mode, so a node running as another user still reads it; a link is followed to the file it names.
         */
        void write(UserTable table) throws IOException {
            Path target = Files.isSymbolicLink(file) ? file.toRealPath() : file;
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".users", ".tmp");
            try {
                PosixFileAttributes old = Files.exists(target) ? posix(target) : null;
                try {
                    Files.setPosixFilePermissions(tmp, old != null ? old.permissions()
                            : PosixFilePermissions.fromString("rw-------"));
                    PosixFileAttributes mine = old == null ? null : posix(tmp);
                    if (mine != null && !mine.owner().equals(old.owner())) {
                        Files.setOwner(tmp, old.owner()); // root editing a file a node's user reads
                    }
                    if (mine != null && !mine.group().equals(old.group())) {
                        Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setGroup(old.group());
                    }
                } catch (UnsupportedOperationException notPosix) {
                    // the hashes are salted and slow; the mode is a second line of defence
                }
                Files.writeString(tmp, table.render(), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        private static PosixFileAttributes posix(Path file) throws IOException {
            try {
                return Files.readAttributes(file, PosixFileAttributes.class);
            } catch (UnsupportedOperationException notPosix) {
                return null;
            }
        }

        /** Read, change, write under an exclusive lock on {@code FILE.lock}: two edits at once both land. */
        void edit(java.util.function.UnaryOperator<UserTable> change) throws IOException {
            Path lock = Path.of(file.toAbsolutePath() + ".lock");
            Files.createDirectories(lock.getParent());
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = channel.lock()) {
                write(change.apply(read()));
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Adds a user, or replaces the password and roles of one that exists.",
                "The password comes from --password-file, else $CHORUS_NEW_PASSWORD, else the terminal (twice);"
                    + " --certificate-only adds a user who signs in with a TLS client certificate naming them."})
    static final class Add extends Base {
        @Parameters(index = "0", paramLabel = "NAME", description = "The user name (no whitespace).")
        String name;
        @Option(names = "--roles", required = true, paramLabel = "ROLES",
                description = "Comma-separated: read, write, admin (admin grants all).")
        String roles;
        @Option(names = "--password-file", paramLabel = "FILE", description = "A file whose first line is the"
                + " password.")
        Path passwordFile;
        @Option(names = "--certificate-only", description = "No password: a client certificate naming the user.")
        boolean certificateOnly;

        @Override
        void run(PrintWriter out) throws IOException {
            String hash = null;
            if (certificateOnly) {
                if (passwordFile != null) {
                    throw new IllegalArgumentException("--certificate-only takes no password");
                }
            } else {
                hash = PasswordHash.hash(Passwords.readNew(name, passwordFile).getBytes(StandardCharsets.UTF_8));
            }
            UserTable.User user = new UserTable.User(name, UserTable.roles(roles), hash);
            boolean[] existed = {false};
            edit(table -> {
                existed[0] = table.user(name).isPresent();
                return table.with(user);
            });
            out.println((existed[0] ? "updated " : "added ") + name + " (" + roleList(user) + ") in " + file);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a user; its connections"
            + " already open stay until they close.")
    static final class Remove extends Base {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(PrintWriter out) throws IOException {
            edit(table -> {
                if (table.user(name).isEmpty()) {
                    throw new IllegalArgumentException("no user " + name + " in " + file);
                }
                return table.without(name);
            });
            out.println("removed " + name + " from " + file);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the users and their roles.")
    static final class ListUsers extends Base {
        @Override
        void run(PrintWriter out) throws IOException {
            for (UserTable.User u : read().users()) {
                out.println(u.name() + "\t" + roleList(u) + "\t" + (u.passwordHash() == null ? "certificate"
                        : "password"));
            }
        }
    }

    private static String roleList(UserTable.User user) {
        return user.roles().stream().map(Permission::role).collect(Collectors.joining(","));
    }
}
