package io.chorus.server;

import picocli.CommandLine;

/** The command line of {@link Main} for tests in other packages. */
public final class MainAccess {

    private MainAccess() {
    }

    public static CommandLine commandLine() {
        return Main.commandLine();
    }
}
