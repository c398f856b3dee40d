package io.chorus.coordinator;

import io.chorus.testkit.Withers;
import io.chorus.testkit.Withers.Case;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each wither of the coordinator's settings changes exactly its components and copies the rest. */
class ConfigWithersTest {

    @Test
    void coordinatorConfig() {
        BudgetConfig budget = BudgetConfig.defaults().withMaxConcurrent(7);
        Withers.check(CoordinatorConfig.defaults(),
                new Case<>("withQuorum", c -> c.withQuorum(5, 3, 4), Map.of("n", 5, "r", 3, "w", 4)),
                new Case<>("withTimeouts", c -> c.withTimeouts(900, 90),
                        Map.of("requestTimeoutMillis", 900L, "replicaTimeoutMillis", 90L)),
                Case.of("withReadRepairGrace", c -> c.withReadRepairGrace(7), "readRepairGraceMillis", 7L),
                new Case<>("withHintLimits", c -> c.withHintLimits(10, 20),
                        Map.of("maxHints", 10L, "maxHintAgeMillis", 20L)),
                new Case<>("withHintReplay", c -> c.withHintReplay(30, 40),
                        Map.of("hintReplayIntervalMillis", 30L, "hintReplayBatchSize", 40)),
                Case.of("withBudget", c -> c.withBudget(budget), "budget", budget),
                Case.of("withReadFanout", c -> c.withReadFanout(ReadFanout.ALL), "readFanout", ReadFanout.ALL),
                Case.of("withSpeculativeRetry", c -> c.withSpeculativeRetry(SpeculativeRetry.fixed(9)),
                        "speculativeRetry", SpeculativeRetry.fixed(9)),
                Case.of("withReadRepairChance", c -> c.withReadRepairChance(0.5), "readRepairChance", 0.5));
    }

    @Test
    void antiEntropyConfig() {
        Withers.check(AntiEntropyConfig.defaults(),
                Case.of("withEnabled", c -> c.withEnabled(false), "enabled", false),
                new Case<>("withSchedule", c -> c.withSchedule(10, 20, 3),
                        Map.of("tickMillis", 10L, "intervalMillis", 20L, "concurrency", 3)),
                new Case<>("withTombstones", c -> c.withTombstones(false, 5),
                        Map.of("collectTombstones", false, "tombstoneGraceMillis", 5L)),
                Case.of("withRebuildChunk", c -> c.withRebuildChunk(17), "rebuildChunkKeys", 17));
    }

    @Test
    void budgetConfigAndQuorumOptions() {
        Withers.check(BudgetConfig.defaults(),
                Case.of("withMaxConcurrent", c -> c.withMaxConcurrent(9), "maxConcurrent", 9),
                new Case<>("withRates", c -> c.withRates(11, 12), Map.of("keysPerSecond", 11L, "bytesPerSecond", 12L)));
        Withers.check(new QuorumOptions(3, 2, 2, 500),
                Case.of("withTimeout", c -> c.withTimeout(100), "timeoutMillis", 100L));
    }
}
