package io.chorus.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-address counts alone: limits, exactly-once release in either order, entries gone at zero. */
class SourceLimitsTest {

    private static final InetAddress A = address(1);
    private static final InetAddress B = address(2);

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anAddressAtItsHandshakeLimitIsRefusedUntilOneIsDone() {
        SourceLimits limits = new SourceLimits(10, 2);
        SourceLimits.Ticket first = limits.admit(A);
        SourceLimits.Ticket second = limits.admit(A);
        assertThat(limits.admit(A)).isNull();
        assertThat(limits.admit(B)).as("another address has its own").isNotNull();
        limits.handshakeDone(first);
        limits.handshakeDone(first);
        assertThat(limits.held(A)).containsExactly(2, 1);
        assertThat(limits.admit(A)).isNotNull();
        assertThat(limits.admit(A)).isNull();
        assertThat(second.source()).isEqualTo(A);
    }

    @Test
    void anAddressAtItsConnectionLimitIsRefusedUntilOneCloses() {
        SourceLimits limits = new SourceLimits(2, 5);
        SourceLimits.Ticket first = limits.admit(A);
        SourceLimits.Ticket second = limits.admit(A);
        limits.handshakeDone(first);
        limits.handshakeDone(second);
        assertThat(limits.admit(A)).isNull();
        limits.closed(second);
        limits.closed(second);
        assertThat(limits.held(A)).containsExactly(1, 0);
        assertThat(limits.admit(A)).isNotNull();
        assertThat(limits.admit(A)).isNull();
    }

    @Test
    void releasesCountOnceInEitherOrderAndAnEmptyAddressIsForgotten() {
        SourceLimits limits = new SourceLimits(5, 5);
        SourceLimits.Ticket doneThenClosed = limits.admit(A);
        SourceLimits.Ticket closedThenDone = limits.admit(A);
        SourceLimits.Ticket closedPending = limits.admit(B);
        limits.handshakeDone(doneThenClosed);
        limits.closed(doneThenClosed);
        limits.closed(closedThenDone);
        limits.handshakeDone(closedThenDone);
        limits.closed(closedPending);
        limits.closed(closedPending);
        limits.handshakeDone(closedPending);
        assertThat(limits.held(A)).containsExactly(0, 0);
        assertThat(limits.sources()).isZero();
    }

    @Test
    void concurrentAdmitsAndReleasesNeverOvershootAndEndAtZero() throws Exception {
        SourceLimits limits = new SourceLimits(8, 4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                runs.add(pool.submit(() -> churn(limits, new Random(seed))));
            }
            for (Future<Integer> run : runs) {
                assertThat(run.get(30, TimeUnit.SECONDS)).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(limits.sources()).isZero();
    }

    /** Random admits and releases on two addresses; returns how often a limit was seen overshot. */
    private static int churn(SourceLimits limits, Random rnd) {
        List<SourceLimits.Ticket> held = new ArrayList<>();
        int overshoots = 0;
        for (int i = 0; i < 20_000; i++) {
            int op = rnd.nextInt(3);
            if (op == 0) {
                SourceLimits.Ticket t = limits.admit(rnd.nextBoolean() ? A : B);
                if (t != null) {
                    held.add(t);
                }
            } else if (op == 1 && !held.isEmpty()) {
                limits.handshakeDone(held.get(rnd.nextInt(held.size())));
            } else if (!held.isEmpty()) {
                limits.closed(held.remove(rnd.nextInt(held.size())));
            }
            for (InetAddress a : new InetAddress[] {A, B}) {
                int[] now = limits.held(a);
                overshoots += now[0] > 8 || now[1] > 4 || now[1] > now[0] ? 1 : 0;
            }
        }
        held.forEach(limits::closed);
        return overshoots;
    }
}
