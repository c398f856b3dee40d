package io.chorus.storage;

import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (root to mount a tmpfs, strace and ptrace). Where it is missing, the test is
 * skipped and says so on stderr, since a silent skip looks like a pass; under CI ({@code CHORUS_CI=1}, set by
 * {@code .ci/run}) it fails instead, so CI cannot quietly stop running it.
 *
 * <p>Thread-safety: stateless.
 */
final class MachineRequirement {

    /** The environment variable under which an unmet requirement fails the test. */
    static final String CI_VARIABLE = "CHORUS_CI";

    private MachineRequirement() {
    }

    /** Returns if {@code met}; else skips {@code test} with {@code why} on stderr, or fails it under CI. */
    static void require(boolean met, String test, String why) {
        require(met, test, why, System.getenv());
    }

    static void require(boolean met, String test, String why, Map<String, String> environment) {
        if (met) {
            return;
        }
        if ("1".equals(environment.get(CI_VARIABLE))) {
            throw new AssertionError(test + " cannot run here: " + why + ". " + CI_VARIABLE
                    + "=1 (CI) requires it to run, not to be skipped.");
        }
        System.err.println("SKIPPED " + test + ": " + why + ". (With " + CI_VARIABLE + "=1, as in CI, it fails.)");
        Assumptions.abort(why);
    }
}
