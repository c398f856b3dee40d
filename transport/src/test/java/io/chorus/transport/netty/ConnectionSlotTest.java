package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chorus.core.NodeId;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A slot against a real server on loopback: one attempt shared, a new one only when the last is dead. */
class ConnectionSlotTest {

    private EventLoops loops;
    private ExecutorService executor;
    private ChorusServer server;
    private InetSocketAddress address;
    private final AtomicInteger attempts = new AtomicInteger();

    @BeforeEach
    void start() {
        loops = EventLoops.create(1, "slot-test");
        executor = Executors.newFixedThreadPool(4);
        server = new ChorusServer(ServerConfig.defaults(NodeId.of("server"), () -> 1).withPort(0), executor, loops);
        address = new InetSocketAddress("127.0.0.1", server.start());
    }

    @AfterEach
    void stop() {
        server.stop();
        loops.close();
        executor.shutdownNow();
    }

    private ConnectionSlot slotTo(InetSocketAddress target) {
        return new ConnectionSlot(attempt -> {
            attempts.incrementAndGet();
            ClientConnection.connect(loops, target, HelloRequest.of(Role.CLIENT, "slot-test"),
                    ClientOptions.callbacksOn(Runnable::run).withConnectTimeoutMillis(1000))
                    .whenComplete((connection, failure) -> {
                        if (failure != null) {
                            attempt.completeExceptionally(failure);
                        } else {
                            attempt.complete(connection);
                        }
                    });
        });
    }

    @Test
    void concurrentCallersShareOneAttemptAndThenTheOpenConnection() throws Exception {
        ConnectionSlot slot = slotTo(address);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<CompletableFuture<ClientConnection>>> callers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            callers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return slot.connection();
            }, executor));
        }
        go.countDown();
        ClientConnection first = slot.connection().get(5, TimeUnit.SECONDS);
        for (var caller : callers) {
            assertThat(caller.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(slot.connection().get(5, TimeUnit.SECONDS)).isSameAs(first);
        assertThat(attempts).hasValue(1);
        slot.close();
    }

    @Test
    void aClosedConnectionIsReplacedByANewOne() throws Exception {
        ConnectionSlot slot = slotTo(address);
        ClientConnection first = slot.connection().get(5, TimeUnit.SECONDS);
        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !first.isOpen());
        ClientConnection second = slot.connection().get(5, TimeUnit.SECONDS);
        assertThat(second).isNotSameAs(first);
        assertThat(second.isOpen()).isTrue();
        assertThat(attempts).hasValue(2);
        slot.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !second.isOpen());
    }

    @Test
    void aFailedAttemptIsNotReusedButRetriedOnTheNextCall() throws Exception {
        InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", address.getPort());
        server.stop();
        ConnectionSlot slot = slotTo(nobody);
        CompletableFuture<ClientConnection> failed = slot.connection();
        await().atMost(Duration.ofSeconds(5)).until(failed::isDone);
        assertThat(failed).isCompletedExceptionally();
        CompletableFuture<ClientConnection> retried = slot.connection();
        assertThat(retried).isNotSameAs(failed);
        await().atMost(Duration.ofSeconds(5)).until(retried::isDone);
        assertThat(attempts).hasValue(2);
    }
}
