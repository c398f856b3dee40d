package io.chorus.server.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the CLI finds a password, never on its command line (where {@code ps} and shell history would show it): a
 * file's first line, the {@code CHORUS_PASSWORD} environment variable, or the terminal, without echo. Stateless.
 */
final class Passwords {

    static final String ENV = "CHORUS_PASSWORD";

    private Passwords() {
    }

    /** The password for {@code user}, from {@code file} if given, else the environment, else the terminal. */
    static String read(String user, Path file) {
        if (file != null) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                String first = text.lines().findFirst().orElse("");
                if (first.isEmpty()) {
                    throw new IllegalArgumentException("the password file " + file + " is empty");
                }
                return first;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the password file " + file + ": " + e.getMessage(), e);
            }
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isEmpty()) {
            return env;
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("--user " + user + " needs a password: --password-file FILE, $"
                    + ENV + ", or a terminal to type it on");
        }
        char[] typed = console.readPassword("Password for %s: ", user);
        if (typed == null || typed.length == 0) {
            throw new IllegalArgumentException("no password typed for " + user);
        }
        return new String(typed);
    }
}
