package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.core.NodeId;
import io.chorus.core.transport.Message;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replies of one connection whose requests run on several dispatch threads at once: a reply leaves when its own
 * batch ends, not when every batch of the connection has (ReplyBatcher's hold is the thread's).
 */
class ReplyBatchingTest {

    private static final String HOST = "127.0.0.1";

    @Test
    void aReplyIsNotHeldByAnotherBatchOfItsConnectionStillRunning() throws Exception {
        ExecutorService dispatch = Executors.newFixedThreadPool(2);
        EventLoops clientLoops = EventLoops.create(1, "test-client");
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch slowMayFinish = new CountDownLatch(1);
        ChorusServer server = new ChorusServer(ServerConfig.defaults(NodeId.of("server-1"), () -> 1)
                .withHost(HOST).withIoThreads(1), dispatch);
        ClientConnection client = null;
        try {
            server.serveClients((from, request) -> {
                int which = ByteBuffer.wrap(request.bodyUnsafe()).getInt(0);
                if (which == 0) {
                    // A handler that takes long on its dispatch thread (a cold read, a slow disk), in its own batch.
                    slowStarted.countDown();
                    await(slowMayFinish);
                }
                return CompletableFuture.completedFuture(request);
            });
            int port = server.start();
            client = ClientConnection.connect(clientLoops, new InetSocketAddress(HOST, port),
                    HelloRequest.of(Role.CLIENT, "test-client"), ClientOptions.defaults()).get(5, TimeUnit.SECONDS);

            CompletableFuture<Message> slow = client.request(get(0), 30_000);
            assertThat(slowStarted.await(10, TimeUnit.SECONDS)).as("the slow request is running").isTrue();
            // A later read, so a batch of its own, on the other dispatch thread.
            CompletableFuture<Message> fast = client.request(get(1), 30_000);

            Message reply = fast.get(10, TimeUnit.SECONDS);
            assertThat(ByteBuffer.wrap(reply.bodyUnsafe()).getInt(0)).isEqualTo(1);
            assertThat(slow).as("the slow request is still running").isNotDone();

            slowMayFinish.countDown();
            assertThat(ByteBuffer.wrap(slow.get(10, TimeUnit.SECONDS).bodyUnsafe()).getInt(0)).isZero();
        } finally {
            slowMayFinish.countDown();
            if (client != null) {
                client.close();
            }
            server.close();
            clientLoops.close();
            dispatch.shutdownNow();
        }
    }

    private static Message get(int i) {
        return Message.of(Opcodes.GET, ByteBuffer.allocate(4).putInt(i).array());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
