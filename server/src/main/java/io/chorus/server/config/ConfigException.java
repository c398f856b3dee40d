package io.chorus.server.config;

/**
 * A setting a node cannot start with: the key (dotted, as written in the file: {@code gossip.interval}) and what is
 * wrong with it, in one line. Printed as {@code config error: <key>: <problem>}, never with a stack trace.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    public ConfigException(String key, String problem) {
        super(key.isEmpty() ? problem : key + ": " + problem, null, false, false);
        this.key = key;
        this.problem = problem;
    }

    /** The dotted key, or empty for the file as a whole (it does not parse). */
    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }

    /** The line to print: {@code config error: <key>: <problem>}. */
    public String line() {
        return "config error: " + getMessage();
    }
}
