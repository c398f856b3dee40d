package io.chorus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The suspect decisions alone, with the time handed in. */
class NodeHealthTest {

    private static final long PERIOD = 1_000;
    private static final long T0 = 5_000;

    @Test
    void oneStallMakesTheNodeSuspectForThePeriodAndAReplyClearsIt() {
        NodeHealth health = new NodeHealth(1, PERIOD);
        assertThat(health.avoid(T0)).isFalse();

        assertThat(health.onStall(health.token(), T0)).as("became suspect").isTrue();
        assertThat(health.avoid(T0 + PERIOD - 1)).isTrue();
        assertThat(health.avoid(T0 + PERIOD)).as("period over: due for a probe").isFalse();
        assertThat(health.suspect()).as("but not cleared").isTrue();

        assertThat(health.onReply()).as("ended the suspicion").isTrue();
        assertThat(health.suspect()).isFalse();
        assertThat(health.avoid(T0)).isFalse();
        assertThat(health.onReply()).as("nothing left to clear").isFalse();
    }

    @Test
    void withAThresholdOfTwoOnlyStallsWithoutAReplyBetweenThemCount() {
        NodeHealth health = new NodeHealth(2, PERIOD);
        assertThat(health.onStall(health.token(), T0)).isFalse();
        health.onReply();
        assertThat(health.onStall(health.token(), T0)).as("the reply reset the count").isFalse();
        assertThat(health.suspect()).isFalse();
        assertThat(health.onStall(health.token(), T0 + 1)).isTrue();
        assertThat(health.avoid(T0 + 1)).isTrue();
    }

    @Test
    void stallsOfRequestsSentBeforeTheLastReplyDoNotCount() {
        NodeHealth health = new NodeHealth(1, PERIOD);
        long sentBeforeFreeze = health.token();
        health.onStall(health.token(), T0);
        health.onReply(); // the node answered again (a probe)
        assertThat(health.onStall(sentBeforeFreeze, T0 + 10)).as("stale: sent before the reply").isFalse();
        assertThat(health.suspect()).isFalse();
    }

    @Test
    void aBurstOfConcurrentStallsMakesTheNodeSuspectOnce() throws Exception {
        NodeHealth health = new NodeHealth(1, PERIOD);
        long token = health.token(); // every request went out before the node froze
        List<Boolean> results = concurrently(8, 500, () -> health.onStall(token, T0));
        assertThat(results).filteredOn(b -> b).hasSize(1);
        assertThat(health.avoid(T0 + PERIOD - 1)).isTrue();
    }

    @Test
    void exactlyOneCallerClaimsTheProbeAndEveryoneElseKeepsAvoidingTheNodeUntilItEnds() throws Exception {
        NodeHealth health = new NodeHealth(1, PERIOD);
        health.onStall(health.token(), T0);
        assertThat(health.claimProbe(T0 + PERIOD - 1)).as("period not over").isFalse();

        long due = T0 + PERIOD;
        List<Boolean> claims = concurrently(8, 500, () -> health.claimProbe(due));
        assertThat(claims).filteredOn(b -> b).hasSize(1);
        assertThat(health.avoid(due + 100 * PERIOD)).as("however long the probe takes").isTrue();
        assertThat(health.claimProbe(due + 100 * PERIOD)).as("one probe at a time").isFalse();
    }

    @Test
    void aFailedProbeMakesTheNodeSuspectForAnotherPeriodAndAnAnsweredOneClearsIt() {
        NodeHealth health = new NodeHealth(1, PERIOD);
        health.onStall(health.token(), T0);
        long probeToken = health.token();
        assertThat(health.claimProbe(T0 + PERIOD)).isTrue();
        long failedAt = T0 + PERIOD + 300;
        health.probeFailed(probeToken, failedAt);
        assertThat(health.avoid(failedAt + PERIOD - 1)).isTrue();
        assertThat(health.claimProbe(failedAt + PERIOD - 1)).isFalse();
        assertThat(health.claimProbe(failedAt + PERIOD)).as("the next period's probe").isTrue();

        assertThat(health.onReply()).isTrue();
        assertThat(health.avoid(failedAt + PERIOD)).isFalse();
    }

    @Test
    void aProbeFailureReportedAfterAReplyClearedTheNodeIsIgnored() {
        NodeHealth health = new NodeHealth(1, PERIOD);
        health.onStall(health.token(), T0);
        long probeToken = health.token();
        health.claimProbe(T0 + PERIOD);
        health.onReply(); // some other request got an answer first
        health.probeFailed(probeToken, T0 + PERIOD + 1);
        assertThat(health.suspect()).isFalse();
        assertThat(health.avoid(T0 + PERIOD + 1)).isFalse();
    }

    @Test
    void aStallWhileSuspectNeverShortensThePeriod() {
        NodeHealth health = new NodeHealth(1, PERIOD);
        health.onStall(health.token(), T0 + 500);
        health.onStall(health.token(), T0); // a request whose wait ended earlier, reported late
        assertThat(health.avoid(T0 + 500 + PERIOD - 1)).isTrue();
    }

    /** Runs {@code task} {@code perThread} times on each of {@code threads} threads, released together. */
    private static <T> List<T> concurrently(int threads, int perThread, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<T>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<T> out = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        out.add(task.call());
                    }
                    return out;
                }));
            }
            start.countDown();
            List<T> all = new ArrayList<>();
            for (Future<List<T>> f : futures) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
