package io.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chorus.client.ChorusClient;
import io.chorus.client.ClientConfig;
import io.chorus.client.RequestOptions;
import io.chorus.transport.netty.FrameEncoder;
import io.chorus.transport.protocol.Frame;
import io.chorus.transport.protocol.GetRequest;
import io.chorus.transport.protocol.HelloRequest;
import io.chorus.transport.protocol.Opcodes;
import io.chorus.transport.protocol.Role;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-node cluster in a child JVM with a 256 MiB heap, under a client that keeps opening connections, asking for a
 * 64 KiB value 128 times on each, and never reading an answer. Each such connection would hold 8 MiB of replies;
 * before the node bounded them, a few seconds of this filled the heap (OutOfMemoryError on the event loops). Now
 * the node closes connections whose replies pile up unread, what it holds for them stays near the bound it reports
 * (sampled throughout), and a client that reads is served throughout.
 */
class NeverReadingClientTest {

    private static final int VALUE_BYTES = 64 * 1024;
    private static final int GETS_PER_CONNECTION = 128;
    private static final long ATTACK_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A new never-reading connection this often: 80 MiB/s of replies nobody takes, a heap's worth in 3 s. */
    private static final long CONNECTION_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final RequestOptions PATIENT = RequestOptions.defaults().withTimeoutMillis(4_000);
    private static final byte[] BIG = "big".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void aNodeKeepsServingOthersAndBoundsWhatItHoldsForClientsThatNeverRead() throws Exception {
        List<Socket> hostile = new ArrayList<>();
        try (ChildCluster cluster = ChildCluster.start(3, dir.resolve("data"), "256m", "--nosync");
             ChorusClient good = ChorusClient.connect(ClientConfig.builder(cluster.addresses())
                     .requestTimeoutMillis(5_000).build())) {
            good.put(BIG, new byte[VALUE_BYTES], null);
            int served = 0;
            int failed = 0;
            long start = System.nanoTime();
            long[] maxUnflushed = new long[3];
            long limit = 0;
            for (int i = 0; System.nanoTime() - start < ATTACK_NANOS; i++) {
                InetSocketAddress target = cluster.addresses().get(i % 3);
                hostile.add(neverReading(target));
                Map<String, Long> stats = good.statsAsync(target).get(10, TimeUnit.SECONDS);
                maxUnflushed[i % 3] = Math.max(maxUnflushed[i % 3], stats.get("transport.unflushed_bytes"));
                limit = stats.get("transport.unflushed_limit_bytes");
                byte[] key = ("good-" + i).getBytes(StandardCharsets.UTF_8);
                try {
                    good.put(key, key, null, PATIENT);
                    assertThat(good.get(key, PATIENT).values()).containsExactly(key);
                    served++;
                } catch (RuntimeException e) {
                    failed++;
                }
                // Paces the attack (a load schedule, not a wait for a condition).
                LockSupport.parkNanos(start + (i + 1) * CONNECTION_EVERY_NANOS - System.nanoTime());
            }
            assertThat(cluster.isAlive()).isTrue();
            assertThat(cluster.output()).doesNotContain("OutOfMemoryError");
            assertThat(served).as("requests of a reading client during the attack (%d failed)", failed)
                    .isGreaterThan(3 * failed).isGreaterThan(20);
            // A node holds replies over its bound only until their readers have taken nothing for a second (checked
            // every 250 ms): at most what this attack sends one node in 1.5 s on top of the bound.
            assertThat(limit).isPositive().isLessThanOrEqualTo((256L << 20) / 4 / 3);
            long perNodePerSecond = TimeUnit.SECONDS.toNanos(1) / CONNECTION_EVERY_NANOS / 3
                    * GETS_PER_CONNECTION * (VALUE_BYTES + 1024L);
            for (long max : maxUnflushed) {
                assertThat(max).isLessThanOrEqualTo(limit + perNodePerSecond * 3 / 2);
            }
            long closed = 0;
            for (InetSocketAddress node : cluster.addresses()) {
                closed += good.statsAsync(node).get(10, TimeUnit.SECONDS).get("transport.slow_readers_closed");
            }
            assertThat(closed).as("connections closed for not reading").isPositive();
            for (int i = 0; i < 10; i++) {
                byte[] key = ("after-" + i).getBytes(StandardCharsets.UTF_8);
                good.put(key, key, null);
                assertThat(good.get(key).values()).containsExactly(key);
            }
        } finally {
            for (Socket s : hostile) {
                s.close();
            }
        }
    }

    /** Says HELLO, asks for the big value again and again, and never reads a byte. */
    private static Socket neverReading(InetSocketAddress node) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(node, 5000);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        write(out, Frame.request(1, Opcodes.HELLO, 1, HelloRequest.of(Role.CLIENT, "never-reads").encode()));
        byte[] get = new GetRequest(BIG, 0, 0, 0).encode();
        for (int i = 0; i < GETS_PER_CONNECTION; i++) {
            write(out, Frame.request(1, Opcodes.GET, 10 + i, get));
        }
        out.flush();
        return socket;
    }

    private static void write(DataOutputStream out, Frame f) throws IOException {
        ByteBuf buf = Unpooled.buffer(Frame.LENGTH_BYTES + f.length());
        try {
            FrameEncoder.write(f, buf);
            buf.readBytes(out, buf.readableBytes());
        } finally {
            buf.release();
        }
    }
}
