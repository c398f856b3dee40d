package io.chorus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Same seed, same run, byte for byte: the property every simulation test leans on. */
class DeterminismTest {

    private static final int NODES = 5;
    private static final int REQUESTS = 3_000;
    private static final long WORKLOAD_MILLIS = 3_000;

    @Test
    void theSameSeedGivesTheSameTraceByteForByte() {
        Trace first = runWorkload(1234);
        Trace second = runWorkload(1234);

        assertThat(first.size()).isGreaterThan(10_000).isEqualTo(second.size());
        assertThat(second.lines()).isEqualTo(first.lines());
        assertThat(second.digest()).isEqualTo(first.digest());
    }

    @Test
    void aDifferentSeedGivesADifferentTrace() {
        assertThat(runWorkload(1235).digest()).isNotEqualTo(runWorkload(1234).digest());
    }

    @Test
    void theWorkloadExercisesEveryKindOfNetworkEvent() {
        String all = String.join("\n", runWorkload(99).lines());

        assertThat(all).contains(" dropped", " duplicated", " delivered", " timed out", " ignored",
                " blocked (partition)", " lost (", " refused (", "crash n2", "restart n2", "heal", "slow n3",
                " (slowed +", "unslow n3");
    }

    /**
     * Five nodes send each other thousands of requests at random times over a lossy, duplicating network; handlers
     * answer after a random delay or with an error; one partition comes and goes, one node crashes and restarts,
     * one is slow for a while (sometimes beyond the callers' timeout).
     * Every random choice comes from the simulation's one source, and clients log their outcomes to the trace.
     */
    private static Trace runWorkload(long seed) {
        Simulation sim = new Simulation(seed, NetworkConditions.DEFAULT
                .withLatency(1, 20).withDropProbability(0.1).withDuplicateProbability(0.1));
        Random random = sim.random();
        VirtualScheduler scheduler = sim.scheduler();
        List<NodeId> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes.add(NodeId.of("n" + i));
        }
        RequestHandler handler = (from, request) -> {
            if (random.nextInt(10) == 0) {
                throw new ChorusException(ErrorCode.OVERLOADED, "busy");
            }
            CompletableFuture<Message> reply = new CompletableFuture<>();
            scheduler.schedule(() -> reply.complete(Message.of(request.opcode() + 1, request.body())),
                    random.nextInt(16), TimeUnit.MILLISECONDS);
            return reply;
        };
        nodes.forEach(n -> sim.network().transport(n).serve(handler));

        for (int i = 0; i < REQUESTS; i++) {
            long at = random.nextLong(WORKLOAD_MILLIS);
            NodeId from = nodes.get(random.nextInt(NODES));
            NodeId to = nodes.get(random.nextInt(NODES));
            byte[] body = new byte[random.nextInt(17)];
            random.nextBytes(body);
            int client = i;
            scheduler.schedule(() -> {
                if (sim.network().isCrashed(from)) {
                    return;
                }
                Transport transport = sim.network().transport(from);
                transport.request(to, Message.of(7, body), 40).whenComplete((reply, failure) ->
                        sim.trace().record("client " + client + (failure == null ? " ok " + reply
                                : " failed " + ((ChorusException) failure).code())));
            }, at, TimeUnit.MILLISECONDS);
        }

        NodeId n0 = nodes.get(0);
        NodeId n1 = nodes.get(1);
        NodeId n2 = nodes.get(2);
        NodeId n3 = nodes.get(3);
        scheduler.schedule(() -> sim.network().slow(n3, Slowdown.both(5, 60)), 500, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> sim.network().unslow(n3), 1_200, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> sim.network().partition(Set.of(n0, n1)), 1_000, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> sim.network().heal(), 1_500, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> sim.network().crash(n2), 2_000, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> sim.network().restart(n2), 2_400, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> sim.network().transport(n2).serve(handler), 2_500, TimeUnit.MILLISECONDS);

        sim.advance(WORKLOAD_MILLIS + 1_000);
        assertThat(scheduler.pendingTasks()).isZero();
        return sim.trace();
    }
}
