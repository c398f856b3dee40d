package io.chorus.core.causal;

import org.junit.jupiter.api.Test;

/**
 * A test class without the seeded tag, for {@code SeedsTest#aClassWithoutTheSeededTagIsRefused} to call as if JUnit
 * ran it. Its name does not end in {@code Test}, so Surefire never runs it itself.
 */
final class UntaggedLoop {

    @Test
    void loops() {
        Seeds.forEach(1, seed -> { });
    }
}
