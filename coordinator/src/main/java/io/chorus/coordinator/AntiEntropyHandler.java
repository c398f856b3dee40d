package io.chorus.coordinator;

import io.chorus.core.NodeId;
import io.chorus.core.causal.CausalCodec;
import io.chorus.core.causal.SiblingSet;
import io.chorus.core.error.ChorusException;
import io.chorus.core.error.ErrorCode;
import io.chorus.core.error.MalformedEncodingException;
import io.chorus.core.transport.Message;
import io.chorus.core.transport.RequestHandler;
import io.chorus.ring.Ring;
import io.chorus.storage.HashTree;
import io.chorus.storage.SegmentEntries;
import io.chorus.storage.StorageEngine;
import io.chorus.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;

/**
 * Answers the anti-entropy messages of a peer that syncs with this node (see {@link PartitionSync}, and
 * docs/protocol.md, "Anti-entropy messages"). Stateless: everything it says comes from the store and its trees
 * as they are, so an asker that crashes or gives up leaves nothing behind here. A tree that is not ready answers
 * NOT_READY, a ring of another version RING_DIFFERS; a key under a partition that is not its own is BAD_REQUEST,
 * like every peer message. Reads the store: never called on an event loop (no opcode is declared non-blocking).
 * Thread-safe.
 */
final class AntiEntropyHandler implements RequestHandler {

    /** Most bytes of states one AE_FETCH reply carries (at least one state, whatever its size). */
    static final int FETCH_REPLY_BYTES = 1 << 20;

    private final StorageEngine storage;
    private final Supplier<Ring> ring;
    private final IntToLongFunction pendingHints;
    private final AntiEntropyCounters counters;

    AntiEntropyHandler(StorageEngine storage, Supplier<Ring> ring, IntToLongFunction pendingHints,
            AntiEntropyCounters counters) {
        this.storage = storage;
        this.ring = ring;
        this.pendingHints = pendingHints;
        this.counters = counters;
    }

    @Override
    public CompletableFuture<Message> handle(NodeId from, Message request) {
        try {
            byte[] body = request.bodyUnsafe();
            checkPartitionNumber(body);
            return switch (request.opcode()) {
                case PeerOpcodes.AE_ROOT -> done(root(AeRoot.decode(body)).encode());
                case PeerOpcodes.AE_HASHES -> done(hashes(AeHashes.decode(body)).encode());
                case PeerOpcodes.AE_KEYS -> done(keys(AeKeys.decode(body)).encode());
                case PeerOpcodes.AE_FETCH -> done(fetch(AeFetch.decode(body)).encode());
                case PeerOpcodes.AE_PUSH -> push(AePush.decode(body));
                case PeerOpcodes.AE_STABLE -> done(stable(AeStable.decode(body)).encode());
                case PeerOpcodes.AE_PURGE -> purge(AePurge.decode(body));
                default -> CompletableFuture.failedFuture(new ChorusException(ErrorCode.UNKNOWN_OPCODE,
                        String.format("anti-entropy does not serve opcode 0x%04x", request.opcode())));
            };
        } catch (MalformedEncodingException | IllegalArgumentException e) {
            // Bytes that do not decode, or values the store refuses (a segment outside its level): the sender's.
            return CompletableFuture.failedFuture(new ChorusException(ErrorCode.BAD_REQUEST, e.getMessage(), e));
        } catch (ChorusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletableFuture<Message> done(Message m) {
        return CompletableFuture.completedFuture(m);
    }

    private AeRoot.Reply root(AeRoot request) {
        if (request.ringVersion() != ring.get().version()) {
            return AeRoot.Reply.of(AeStatus.RING_DIFFERS);
        }
        HashTree tree = storage.trees().tree(request.partition());
        synchronized (tree) {
            // One consistent view of the three, as a write may land between separate calls.
            if (!tree.isReady()) {
                return AeRoot.Reply.of(AeStatus.NOT_READY);
            }
            return new AeRoot.Reply(AeStatus.OK, tree.bits(), tree.keyCount(), tree.root());
        }
    }

    private AeHashes.Reply hashes(AeHashes request) {
        HashTree tree = storage.trees().tree(request.partition());
        long[] children = tree.children(request.bits(), request.parentBits(), request.parents());
        if (children == null) {
            return AeHashes.Reply.of(tree.isReady() ? AeStatus.RESOLUTION : AeStatus.NOT_READY);
        }
        return new AeHashes.Reply(AeStatus.OK, children);
    }

    /** Any resolution can be listed: a segment is a range of the store whatever the tree's own resolution. */
    private AeKeys.Reply keys(AeKeys request) {
        SegmentEntries found = storage.segmentEntries(request.partition(), request.bits(), request.segments(),
                request.fromStart() ? null : request.resumeAfter(), request.maxBytes());
        List<AeEntry> entries = new ArrayList<>(found.entries().size());
        for (StoredEntry e : found.entries()) {
            entries.add(new AeEntry(e.key(), Summaries.summary(CausalCodec.decode(e.encoded()))));
        }
        return new AeKeys.Reply(AeStatus.OK, found.truncated(), entries);
    }

    private AeFetch.Reply fetch(AeFetch request) {
        List<AeEntry> entries = new ArrayList<>();
        long bytes = 0;
        for (byte[] key : request.keys()) {
            checkPartition(request.partition(), key);
            SiblingSet state = storage.get(request.partition(), key);
            long size = key.length + CausalCodec.encodedSize(state);
            if (!entries.isEmpty() && bytes + size > FETCH_REPLY_BYTES) {
                break; // the asker asks again for the rest; one state alone always fits a frame
            }
            entries.add(new AeEntry(key, state));
            bytes += size;
        }
        counters.keysSent.add(entries.size());
        return new AeFetch.Reply(entries);
    }

    private CompletableFuture<Message> push(AePush request) {
        List<CompletableFuture<SiblingSet>> merges = new ArrayList<>(request.entries().size());
        for (AeEntry e : request.entries()) {
            checkPartition(request.partition(), e.key());
        }
        for (AeEntry e : request.entries()) {
            merges.add(storage.put(request.partition(), e.key(), e.set()));
        }
        int n = merges.size();
        return CompletableFuture.allOf(merges.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            counters.keysReceived.add(n);
            return new AePush.Reply(n).encode();
        });
    }

    private AeStable.Reply stable(AeStable request) {
        if (request.ringVersion() != ring.get().version()) {
            return AeStable.Reply.of(AeStatus.RING_DIFFERS);
        }
        long[] hashes = new long[request.keys().size()];
        for (int i = 0; i < hashes.length; i++) {
            byte[] key = request.keys().get(i);
            checkPartition(request.partition(), key);
            hashes[i] = storage.entryHash(request.partition(), key);
        }
        return new AeStable.Reply(AeStatus.OK, pendingHints.applyAsLong(request.partition()), hashes);
    }

    private CompletableFuture<Message> purge(AePurge request) {
        if (request.ringVersion() != ring.get().version()) {
            return done(AePurge.Reply.of(AeStatus.RING_DIFFERS).encode());
        }
        List<CompletableFuture<Boolean>> purges = new ArrayList<>();
        for (AePurge.Entry e : request.entries()) {
            checkPartition(request.partition(), e.key());
        }
        for (AePurge.Entry e : request.entries()) {
            purges.add(storage.purgeTombstone(request.partition(), e.key(), e.expectedHash()));
        }
        return CompletableFuture.allOf(purges.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            int purged = (int) purges.stream().filter(CompletableFuture::join).count();
            counters.tombstonesPurged.add(purged);
            return new AePurge.Reply(AeStatus.OK, purged).encode();
        });
    }

    /**
     * Every AE body starts with its partition: one beyond the ring's partitions is refused before anything looks it
     * up, so a peer cannot make this node keep trees for partitions that do not exist.
     */
    private void checkPartitionNumber(byte[] body) {
        int partition = PeerFields.partition(new io.chorus.core.codec.ByteReader(body));
        if (partition >= ring.get().partitionCount()) {
            throw new ChorusException(ErrorCode.BAD_REQUEST, "partition " + partition + " is beyond the "
                    + ring.get().partitionCount() + " partitions of the ring");
        }
    }

    private void checkPartition(int partition, byte[] key) {
        PeerFields.checkKeyPartition(ring.get(), partition, key);
    }
}
