package io.chorus.testkit;

import io.chorus.testkit.Withers.Case;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkConditionsTest {

    @Test
    void eachWitherChangesOnlyItsComponents() {
        Withers.check(new NetworkConditions(1, 10, 0.1, 0.2),
                new Case<>("withLatency", c -> c.withLatency(3, 30), Map.of("minLatencyMillis", 3L,
                        "maxLatencyMillis", 30L)),
                Case.of("withDropProbability", c -> c.withDropProbability(0.25), "dropProbability", 0.25),
                Case.of("withDuplicateProbability", c -> c.withDuplicateProbability(0.5), "duplicateProbability", 0.5));
    }
}
