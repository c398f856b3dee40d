package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A {@link SyncPeer} across a {@link Transport}: each question one anti-entropy message (AE_ROOT, AE_HASHES,
 * AE_KEYS, AE_FETCH, AE_PUSH), counting the bytes both ways as the wire carries them, and telling a listener how
 * each message ended (the agent's liveness learns from it). One per sync, so that its counts are the sync's.
 * Thread-safe (atomic counters; the transport is).
 */
final class RemoteSyncPeer implements SyncPeer {

    /** What a frame adds to a body on the wire: the length prefix and the header. */
    static final int FRAME_OVERHEAD = 4 + 12;

    private final Transport transport;
    private final NodeId node;
    private final long ringVersion;
    private final long timeoutMillis;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final BiConsumer<NodeId, Throwable> outcomes;

    RemoteSyncPeer(Transport transport, NodeId node, long ringVersion, long timeoutMillis) {
        this(transport, node, ringVersion, timeoutMillis, (n, failure) -> { });
    }

    /** @param outcomes told of every message's end: the peer and null for a reply, or the failure */
    RemoteSyncPeer(Transport transport, NodeId node, long ringVersion, long timeoutMillis,
            BiConsumer<NodeId, Throwable> outcomes) {
        this.transport = transport;
        this.node = node;
        this.ringVersion = ringVersion;
        this.timeoutMillis = timeoutMillis;
        this.outcomes = outcomes;
    }

    @Override
    public NodeId node() {
        return node;
    }

    private CompletableFuture<byte[]> ask(Message request) {
        sent.addAndGet(request.bodyLength() + FRAME_OVERHEAD);
        return transport.request(node, request, timeoutMillis)
                .whenComplete((reply, failure) -> outcomes.accept(node, failure))
                .thenApply(reply -> {
                    received.addAndGet(reply.bodyLength() + FRAME_OVERHEAD);
                    return reply.bodyUnsafe();
                });
    }

    @Override
    public CompletableFuture<PeerRoot> root(int partition) {
        return ask(new AeRoot(partition, ringVersion).encode()).thenApply(body -> {
            AeRoot.Reply r = AeRoot.Reply.decode(body);
            Readiness readiness = switch (r.status()) {
                case OK -> Readiness.READY;
                case RING_DIFFERS -> Readiness.RING_DIFFERS;
                default -> Readiness.NOT_READY;
            };
            return new PeerRoot(readiness, r.bits(), r.keyCount(), r.root());
        });
    }

    @Override
    public CompletableFuture<long[]> children(int partition, int leafBits, int parentBits, int[] parents) {
        AeHashes request = new AeHashes(partition, leafBits, parentBits, parents);
        return ask(request.encode()).thenApply(body -> {
            AeHashes.Reply r = AeHashes.Reply.decode(body, request);
            return r.status() == AeStatus.OK ? r.hashes() : null;
        });
    }

    @Override
    public CompletableFuture<SummaryPage> summaries(int partition, int bits, int[] segments, byte[] resumeAfter,
            int maxBytes) {
        AeKeys request = new AeKeys(partition, bits, maxBytes, resumeAfter == null ? new byte[0] : resumeAfter,
                segments);
        return ask(request.encode()).thenApply(body -> {
            AeKeys.Reply r = AeKeys.Reply.decode(body);
            if (r.status() != AeStatus.OK) {
                return null;
            }
            return new SummaryPage(states(r.entries()), r.truncated());
        });
    }

    @Override
    public CompletableFuture<List<KeyState>> fetch(int partition, List<byte[]> keys) {
        AeFetch request = new AeFetch(partition, List.copyOf(keys));
        return ask(request.encode()).thenApply(body -> states(AeFetch.Reply.decode(body, request).entries()));
    }

    @Override
    public CompletableFuture<Void> push(int partition, List<KeyState> states) {
        List<AeEntry> entries = new ArrayList<>(states.size());
        for (KeyState s : states) {
            entries.add(new AeEntry(s.key(), s.state()));
        }
        AePush request = new AePush(partition, entries);
        return ask(request.encode()).thenApply(body -> {
            AePush.Reply.decode(body, request);
            return null;
        });
    }

    private static List<KeyState> states(List<AeEntry> entries) {
        List<KeyState> out = new ArrayList<>(entries.size());
        for (AeEntry e : entries) {
            out.add(new KeyState(e.key(), e.set()));
        }
        return out;
    }

    @Override
    public long bytesSent() {
        return sent.get();
    }

    @Override
    public long bytesReceived() {
        return received.get();
    }
}
