package io.chorus.core.error;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for failures that come out of futures. */
public final class Failures {

    private Failures() {
    }

    /**
     * What happened, without the {@link CompletionException}s and {@link ExecutionException}s that futures wrap
     * it in; a wrapper without a cause is returned as it is.
     */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
