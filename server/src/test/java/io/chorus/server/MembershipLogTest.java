package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.chorus.storage.Durability;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What an operator reads in a node's log when a peer dies and comes back: one INFO line each, no stack trace. */
class MembershipLogTest {

    @Test
    void aPeerGoingDownAndComingBackIsOneLineEachWithoutAStackTrace() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.chorus.membership");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        // The tests' logback config (from a module's test-jar) sets the root to WARN; a node runs at INFO.
        Level was = logger.getLevel();
        logger.setLevel(Level.INFO);
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).durability(Durability.NOSYNC)
                .partitions(16).start()) {
            assertThat(lines(logged, "node-1: node-3 found")).hasSize(1);
            cluster.crash(2);
            await().atMost(60, TimeUnit.SECONDS).until(() ->
                    lines(logged, "node-1: node-3 is down: convicted by the failure detector").size() == 1);
            cluster.restart(2);
            await().atMost(60, TimeUnit.SECONDS).until(() ->
                    lines(logged, "node-1: node-3 is up: heard from again").size() == 1);
            assertThat(lines(logged, "node-1: node-3 restarted (generation ")).hasSize(1);
            List<ILoggingEvent> all = List.copyOf(logged.list);
            assertThat(all).allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.INFO);
                assertThat(e.getThrowableProxy()).isNull();
            });
        } finally {
            logger.setLevel(was);
            logger.detachAppender(logged);
        }
    }

    private static List<String> lines(ListAppender<ILoggingEvent> logged, String prefix) {
        return List.copyOf(logged.list).stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith(prefix)).toList();
    }
}
