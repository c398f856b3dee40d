package io.chorus.transport.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A users file ({@link UserTable}'s format) that is re-read when it changes, so users are added, removed or given
 * new roles without a restart: {@link #get} looks at the file's size and modification time at most once per
 * {@code checkEvery} and parses it again when either moved. A file that fails to parse after a change is logged
 * and ignored, and the table read before stays in force (a half-saved edit locks nobody out); it is tried again
 * at the next change. {@link #get} reads the disk, so call it off the event loops (the authenticator runs on its
 * own thread, and a node also calls it every second so that removals reach connections already open);
 * {@link #current} does not.
 * Thread-safe: one check at a time, the table behind a volatile.
 */
public final class UsersFile implements Supplier<UserTable> {

    private static final Logger log = LoggerFactory.getLogger(UsersFile.class);

    private final Path file;
    private final long checkEveryNanos;
    private final LongSupplier nanoClock;
    private volatile UserTable table;
    private Stamp stamp;
    private long lastCheck;

    private record Stamp(FileTime modified, long size) {
    }

    private UsersFile(Path file, Duration checkEvery, LongSupplier nanoClock) {
        this.file = file;
        this.checkEveryNanos = checkEvery.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Reads {@code file} now.
     *
     * @throws IllegalArgumentException naming the file and line when it cannot be read or parsed
     */
    public static UsersFile load(Path file, Duration checkEvery, LongSupplier nanoClock) {
        UsersFile users = new UsersFile(file, checkEvery, nanoClock);
        try {
            users.stamp = stampOf(file);
            users.table = read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the users file " + file + ": " + e.getMessage(), e);
        }
        users.lastCheck = nanoClock.getAsLong();
        return users;
    }

    /** Re-read once a second, on the system's clock. */
    public static UsersFile load(Path file) {
        return load(file, Duration.ofSeconds(1), System::nanoTime);
    }

    public Path file() {
        return file;
    }

    /** The table read last, without looking at the file: for event loops. */
    public UserTable current() {
        return table;
    }

    @Override
    public UserTable get() {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            if (now - lastCheck >= checkEveryNanos) {
                lastCheck = now;
                reloadIfChanged();
            }
        }
        return table;
    }

    private void reloadIfChanged() {
        Stamp seen;
        try {
            seen = stampOf(file);
        } catch (IOException e) {
            log.warn("users file {} cannot be read ({}); keeping the {} users read before", file, e.toString(),
                    table.users().size());
            return;
        }
        if (seen.equals(stamp)) {
            return;
        }
        stamp = seen;
        try {
            UserTable next = read(file);
            log.info("users file {} reloaded: {} users (were {})", file, next.users().size(), table.users().size());
            table = next;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            log.warn("users file {} changed but cannot be used ({}); keeping the {} users read before", file,
                    e.getMessage(), table.users().size());
        }
    }

    private static Stamp stampOf(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(a.lastModifiedTime(), a.size());
    }

    private static UserTable read(Path file) throws IOException {
        return UserTable.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }
}
