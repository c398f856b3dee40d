package io.chorus.server.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where the CLI finds a password, never on its command line (where {@code ps} and shell history would show it): a
 * file's first line, an environment variable, or the terminal, without echo. Signing in reads
 * {@code CHORUS_PASSWORD}; a new user's password is {@code CHORUS_NEW_PASSWORD}, so that an operator signed in by
 * the environment never hands a new user their own password by accident, and one typed is asked twice. Stateless.
 */
final class Passwords {

    /** The password the CLI signs in with. */
    static final String ENV = "CHORUS_PASSWORD";
    /** The password {@code chorus users add} gives a user. */
    static final String NEW_ENV = "CHORUS_NEW_PASSWORD";

    private Passwords() {
    }

    /** The password to sign in as {@code user}: from {@code file} if given, else $CHORUS_PASSWORD, else typed. */
    static String read(String user, Path file) {
        return find(file, ENV, "Password for " + user + ": ", false, "--user " + user);
    }

    /** A new password for {@code user}: from {@code file}, else $CHORUS_NEW_PASSWORD, else typed twice. */
    static String readNew(String user, Path file) {
        return find(file, NEW_ENV, "New password for " + user + ": ", true, "user " + user);
    }

    private static String find(Path file, String env, String prompt, boolean confirm, String who) {
        if (file != null) {
            try {
                String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
                if (first.isEmpty()) {
                    throw new IllegalArgumentException("the password file " + file + " is empty");
                }
                return first;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the password file " + file + ": " + e.getMessage(), e);
            }
        }
        String fromEnv = System.getenv(env);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException(who + " needs a password: --password-file FILE, $" + env
                    + ", or a terminal to type it on");
        }
        char[] typed = console.readPassword("%s", prompt);
        if (typed == null || typed.length == 0) {
            throw new IllegalArgumentException("no password typed for " + who);
        }
        if (confirm) {
            char[] again = console.readPassword("Again: ");
            boolean same = Arrays.equals(typed, again);
            if (again != null) {
                Arrays.fill(again, '\0');
            }
            if (!same) {
                Arrays.fill(typed, '\0');
                throw new IllegalArgumentException("the two passwords typed for " + who + " differ");
            }
        }
        String password = new String(typed);
        Arrays.fill(typed, '\0');
        return password;
    }
}
